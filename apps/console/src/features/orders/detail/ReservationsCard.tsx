import type { ReservationView } from '@orderhub/contracts';
import type { UseQueryResult } from '@tanstack/react-query';
import { Card, Empty, Skeleton, Table, Tag, Typography } from 'antd';
import type { ReactNode } from 'react';
import { ApiError } from '../../../shared/api.ts';
import { useT } from '../../../shared/i18n.tsx';
import { ErrorAlert, Time } from '../../../shared/ui.tsx';
import { messages } from '../messages.ts';

const STATUS_COLORS: Record<string, string> = {
  active: 'blue',
  consumed: 'green',
  released: 'default',
  expired: 'default',
};

/** The stock the order holds or held: SKU, warehouse by name, units, state and local time. */
export function ReservationsCard({
  query,
  warehouseName,
}: {
  query: UseQueryResult<ReservationView[]>;
  warehouseName: (code: string) => string | undefined;
}) {
  const t = useT(messages);
  let body: ReactNode;
  if (query.isPending) body = <Skeleton active paragraph={{ rows: 2 }} title={false} />;
  else if (query.error instanceof ApiError && query.error.code === 'NOT_FOUND')
    body = <Typography.Text type="secondary">{t('unavailable')}</Typography.Text>;
  else if (query.error) body = <ErrorAlert error={query.error} onRetry={() => query.refetch()} />;
  else if (!query.data?.length)
    body = <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('empty')} />;
  else
    body = (
      <Table<ReservationView>
        size="small"
        rowKey="id"
        pagination={false}
        dataSource={query.data}
        scroll={{ x: 'max-content' }}
        columns={[
          { title: t('resSku'), dataIndex: 'sku' },
          {
            title: t('resWarehouse'),
            dataIndex: 'warehouse',
            render: (code: string) => <span title={code}>{warehouseName(code) ?? code}</span>,
          },
          {
            title: t('resQuantity'),
            align: 'right',
            render: (_, r) => (
              <span>
                {r.status === 'active' ? r.quantity : r.original}
                {r.status === 'active' && r.quantity !== r.original ? (
                  <Typography.Text type="secondary"> ({t('resOf', { n: r.original })})</Typography.Text>
                ) : null}
              </span>
            ),
          },
          {
            title: t('resStatus'),
            dataIndex: 'status',
            render: (s: string) => (
              <Tag color={STATUS_COLORS[s] ?? 'default'} data-reservation-status={s}>
                {t(`res_${s}`) === `res_${s}` ? s : t(`res_${s}`)}
              </Tag>
            ),
          },
          { title: t('resTime'), render: (_, r) => <Time at={r.createdAt} /> },
        ]}
      />
    );
  return (
    <Card size="small" title={t('reservations')} style={{ marginBottom: 16 }} data-testid="reservations">
      {body}
    </Card>
  );
}
