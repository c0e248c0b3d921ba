import type { AlertView } from '@orderhub/contracts';
import { useQuery } from '@tanstack/react-query';
import { Card, Table } from 'antd';
import { api } from '../../shared/api.ts';
import { useT } from '../../shared/i18n.tsx';
import { ErrorAlert, Time } from '../../shared/ui.tsx';
import { messages } from './messages.ts';

/** Open low-stock alerts (available below safety stock). */
export function Alerts() {
  const t = useT(messages);
  const alerts = useQuery({
    queryKey: ['inventory', 'alerts'],
    queryFn: () => api<AlertView[]>('/api/inventory/alerts', { query: { limit: 500 } }),
  });
  return (
    <Card size="small">
      {alerts.error ? <ErrorAlert error={alerts.error} onRetry={() => alerts.refetch()} /> : null}
      <Table<AlertView>
        data-testid="alerts-table"
        rowKey="id"
        size="middle"
        loading={alerts.isFetching}
        dataSource={alerts.data ?? []}
        pagination={{ pageSize: 50, hideOnSinglePage: true }}
        columns={[
          { title: t('sku'), dataIndex: 'sku' },
          { title: t('warehouse'), dataIndex: 'warehouse' },
          { title: t('available'), dataIndex: 'available', align: 'right' },
          { title: t('safety'), dataIndex: 'safetyStock', align: 'right' },
          { title: t('raisedAt'), dataIndex: 'raisedAt', render: (v: string) => <Time at={v} /> },
        ]}
      />
    </Card>
  );
}
