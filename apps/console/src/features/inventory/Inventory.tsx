import { Tabs, Typography } from 'antd';
import { useSearchParams } from 'react-router';
import { useT } from '../../shared/i18n.tsx';
import { useSession } from '../../shared/session.tsx';
import { PageTitle } from '../../shared/ui.tsx';
import { Alerts } from './Alerts.tsx';
import { ChannelStockPushes } from './ChannelStockPushes.tsx';
import { CountImport } from './CountImport.tsx';
import { Heatmap } from './Heatmap.tsx';
import { Levels } from './Levels.tsx';
import { Movements } from './Movements.tsx';
import { messages } from './messages.ts';

const TABS = ['levels', 'movements', 'alerts', 'heatmap', 'count'] as const;

export default function Inventory() {
  const t = useT(messages);
  const { can } = useSession();
  const [params, setParams] = useSearchParams();
  const tab = (TABS as readonly string[]).includes(params.get('tab') ?? '') ? params.get('tab')! : 'levels';
  const mayAdjust = can('inventory:adjust');
  const items = [
    { key: 'levels', label: t('levels'), children: <Levels mayAdjust={mayAdjust} /> },
    { key: 'movements', label: t('movements'), children: <Movements /> },
    { key: 'alerts', label: t('alerts'), children: <Alerts /> },
    { key: 'heatmap', label: t('heatmap'), children: <Heatmap /> },
    ...(mayAdjust ? [{ key: 'count', label: t('count'), children: <CountImport /> }] : []),
  ];
  return (
    <div data-testid="inventory">
      <PageTitle>{t('title')}</PageTitle>
      {!mayAdjust ? (
        <Typography.Paragraph type="secondary" data-testid="inventory-read-only">
          {t('readOnly')}
        </Typography.Paragraph>
      ) : null}
      <Tabs
        activeKey={tab}
        destroyOnHidden
        onChange={(k) => setParams(k === 'levels' ? {} : { tab: k })}
        items={items}
      />
      <ChannelStockPushes />
    </div>
  );
}
