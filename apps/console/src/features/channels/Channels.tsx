import { Tabs, Typography } from 'antd';
import { useSearchParams } from 'react-router';
import { useT } from '../../shared/i18n.tsx';
import { useSession } from '../../shared/session.tsx';
import { PageTitle } from '../../shared/ui.tsx';
import { AccountsPanel } from './AccountsPanel.tsx';
import { DriftPanel } from './DriftPanel.tsx';
import { InboxPanel } from './InboxPanel.tsx';
import { messages } from './messages.ts';

const TABS = ['accounts', 'inbox', 'drift'] as const;

/** Shops with their sync health, the push inbox, and interface drift alerts. */
export default function Channels() {
  const t = useT(messages);
  const { can } = useSession();
  const [params, setParams] = useSearchParams();
  const tab = (TABS as readonly string[]).includes(params.get('tab') ?? '') ? params.get('tab')! : 'accounts';
  const mayManage = can('channels:manage');
  return (
    <div data-testid="channels">
      <PageTitle>{t('title')}</PageTitle>
      {!mayManage ? (
        <Typography.Paragraph type="secondary" data-testid="channels-read-only">
          {t('readOnly')}
        </Typography.Paragraph>
      ) : null}
      <Tabs
        activeKey={tab}
        destroyOnHidden
        onChange={(k) => setParams(k === 'accounts' ? {} : { tab: k })}
        items={[
          {
            key: 'accounts',
            label: <span data-tab="accounts">{t('tabAccounts')}</span>,
            children: <AccountsPanel mayManage={mayManage} />,
          },
          {
            key: 'inbox',
            label: <span data-tab="inbox">{t('tabInbox')}</span>,
            children: <InboxPanel mayManage={mayManage} />,
          },
          { key: 'drift', label: <span data-tab="drift">{t('tabDrift')}</span>, children: <DriftPanel /> },
        ]}
      />
    </div>
  );
}
