import { MOVEMENT_TYPE_LABELS, type MovementView } from '@orderhub/contracts';
import { Card, Table, Typography } from 'antd';
import { useState } from 'react';
import { actorText } from '../../shared/actor.ts';
import { api } from '../../shared/api.ts';
import { type CursorPage, useCursorPager } from '../../shared/hooks.ts';
import { labelOf, useLocale, useT } from '../../shared/i18n.tsx';
import { OrderRef } from '../../shared/orderRef.tsx';
import { PagerButtons } from '../../shared/pager.tsx';
import { ErrorAlert, Time } from '../../shared/ui.tsx';
import { Filters, useWarehouseLabel, useWarehouseName } from './Filters.tsx';
import { ACTOR_LABELS, ledgerReason, SOURCE_TYPE_LABELS } from './labels.ts';
import { messages } from './messages.ts';

const signed = (n: number) => (n === 0 ? '' : n > 0 ? `+${n}` : String(n));

/** What caused a movement: an order is named by its orderNo and links to it. */
function Source({ source }: { source: MovementView['source'] }) {
  const { locale } = useLocale();
  if (!source) return null;
  const kind = labelOf(SOURCE_TYPE_LABELS, source.type, locale);
  if (source.type === 'order' && source.id)
    return (
      <>
        {kind} <OrderRef id={source.id} orderNo={(source as { orderNo?: string | null }).orderNo} />
      </>
    );
  return <>{`${kind} ${source.id ?? ''}`}</>;
}

/** The stock ledger: every change of on hand, reserved, frozen and in transit, newest first. */
export function Movements() {
  const t = useT(messages);
  const warehouseName = useWarehouseName();
  const { locale } = useLocale();
  const [filter, setFilter] = useState<{ sku?: string; warehouse?: string }>({});
  const movements = useCursorPager({
    queryKey: ['inventory', 'movements', filter],
    fetchPage: (cursor, signal) =>
      api<CursorPage<MovementView>>('/api/inventory/movements', {
        query: { ...filter, limit: 50, cursor },
        signal,
      }),
  });
  const { query } = movements;
  /** One SKU in one warehouse: the server adds the balance after each movement. */
  const running = !!(filter.sku && filter.warehouse);
  const warehouseText = useWarehouseLabel();
  return (
    <Card size="small">
      <Filters
        onSearch={({ sku, warehouse }) => {
          setFilter({ ...(sku ? { sku } : {}), ...(warehouse ? { warehouse } : {}) });
          movements.first();
        }}
      />
      <Typography.Paragraph type="secondary" style={{ marginBottom: 8 }} data-testid="movements-balance-hint">
        {running
          ? t('balanceOf', { sku: filter.sku ?? '', warehouse: warehouseText(filter.warehouse ?? '') })
          : t('balanceHint')}
      </Typography.Paragraph>
      {query.error ? <ErrorAlert error={query.error} onRetry={() => query.refetch()} /> : null}
      <Table<MovementView>
        data-testid="movements-table"
        rowKey="id"
        size="middle"
        loading={query.isFetching}
        dataSource={movements.items}
        pagination={false}
        scroll={{ x: 'max-content' }}
        columns={[
          { title: t('at'), dataIndex: 'at', fixed: 'left', render: (v: string) => <Time at={v} /> },
          {
            title: t('type'),
            dataIndex: 'type',
            render: (v: string) => labelOf(MOVEMENT_TYPE_LABELS, v, locale),
          },
          {
            title: t('reason'),
            dataIndex: 'reasonCode',
            render: (v: string | null) => (
              <span data-reason-code={v ?? undefined}>{ledgerReason(v, locale)}</span>
            ),
          },
          // One SKU in one warehouse (named above the table): room for the balance instead.
          ...(running
            ? []
            : [
                { title: t('sku'), dataIndex: 'sku' },
                {
                  title: t('warehouse'),
                  dataIndex: 'warehouse',
                  render: (c: string) => warehouseName(c),
                },
              ]),
          { title: t('onHand'), dataIndex: 'onHand', align: 'right', render: signed },
          { title: t('reserved'), dataIndex: 'reserved', align: 'right', render: signed },
          { title: t('frozen'), dataIndex: 'frozen', align: 'right', render: signed },
          { title: t('inTransit'), dataIndex: 'inTransit', align: 'right', render: signed },
          // The quantities come before the source: at 1024 px they stay in view without scrolling.
          { title: t('source'), render: (_, m) => <Source source={m.source} /> },
          ...(running
            ? [
                {
                  title: t('balanceOnHand'),
                  key: 'balanceOnHand',
                  align: 'right' as const,
                  fixed: 'right' as const,
                  render: (_: unknown, m: MovementView) => (
                    <Typography.Text strong data-balance-on-hand={m.id}>
                      {m.balanceAfter?.onHand ?? ''}
                    </Typography.Text>
                  ),
                },
                {
                  title: t('balanceAvailable'),
                  key: 'balanceAvailable',
                  align: 'right' as const,
                  fixed: 'right' as const,
                  render: (_: unknown, m: MovementView) => (
                    <span data-balance-available={m.id}>{m.balanceAfter?.available ?? ''}</span>
                  ),
                },
              ]
            : []),
          {
            title: t('actor'),
            render: (_, m) => actorText(m.actor.name, m.actor.type, locale, ACTOR_LABELS),
          },
          { title: t('note'), dataIndex: 'note' },
        ]}
      />
      <PagerButtons pager={movements} />
    </Card>
  );
}
