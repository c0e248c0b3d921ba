import { Tabs } from 'antd';
import { useSearchParams } from 'react-router';
import { useT } from '../../shared/i18n.tsx';
import { messages } from '../../shared/payments/messages.ts';
import { useSession } from '../../shared/session.tsx';
import { PageTitle } from '../../shared/ui.tsx';
import { AccountsPanel } from './AccountsPanel.tsx';
import { EventsPanel } from './EventsPanel.tsx';
import { ExceptionsPanel } from './ExceptionsPanel.tsx';
import { InspectionsPanel } from './InspectionsPanel.tsx';

const TABS = ['accounts', 'exceptions', 'inspections', 'events'] as const;

/** Payment accounts, the money to act on, the health inspection and the provider events. */
export default function Payments() {
  const t = useT(messages);
  const { can } = useSession();
  const [params, setParams] = useSearchParams();
  const asked = params.get('tab');
  const tab = (TABS as readonly string[]).includes(asked ?? '') ? (asked as string) : 'accounts';
  return (
    <div data-testid="payments-page">
      <PageTitle>{t('title')}</PageTitle>
      <Tabs
        activeKey={tab}
        destroyOnHidden
        onChange={(k) => setParams(k === 'accounts' ? {} : { tab: k })}
        items={[
          {
            key: 'accounts',
            label: <span data-tab="accounts">{t('tabAccounts')}</span>,
            children: <AccountsPanel mayManage={can('payments:manage')} />,
          },
          {
            key: 'exceptions',
            label: <span data-tab="exceptions">{t('tabExceptions')}</span>,
            children: <ExceptionsPanel mayResolve={can('payments:refund')} />,
          },
          {
            key: 'inspections',
            label: <span data-tab="inspections">{t('tabInspections')}</span>,
            children: <InspectionsPanel mayRun={can('payments:manage')} />,
          },
          {
            key: 'events',
            label: <span data-tab="events">{t('tabEvents')}</span>,
            children: <EventsPanel />,
          },
        ]}
      />
    </div>
  );
}
