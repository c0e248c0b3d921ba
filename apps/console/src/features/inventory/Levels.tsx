import { ReloadOutlined } from '@ant-design/icons';
import type { StockLevelView } from '@orderhub/contracts';
import { Button, Card, Space, Table, Tag } from 'antd';
import { useState } from 'react';
import { api } from '../../shared/api.ts';
import { type CursorPage, useCursorPager } from '../../shared/hooks.ts';
import { useT } from '../../shared/i18n.tsx';
import { PagerButtons } from '../../shared/pager.tsx';
import { ErrorAlert, Time } from '../../shared/ui.tsx';
import { AdjustModal } from './AdjustModal.tsx';
import { Filters, type StockFilter, useWarehouseName } from './Filters.tsx';
import { messages } from './messages.ts';

export function Levels({ mayAdjust }: { mayAdjust: boolean }) {
  const t = useT(messages);
  const warehouseName = useWarehouseName();
  const [filter, setFilter] = useState<StockFilter>({});
  const [adjusting, setAdjusting] = useState<Partial<StockLevelView> | null>(null);
  const levels = useCursorPager({
    queryKey: ['inventory', 'levels', filter],
    fetchPage: (cursor, signal) =>
      api<CursorPage<StockLevelView>>('/api/inventory/levels', {
        query: { ...filter, limit: 50, cursor },
        signal,
      }),
  });
  const { query } = levels;
  return (
    <Card size="small">
      <Space style={{ width: '100%', justifyContent: 'space-between' }} wrap>
        <Filters
          extra
          onSearch={(f) => {
            setFilter(f);
            levels.first();
          }}
        />
        <Space>
          {mayAdjust ? (
            <Button onClick={() => setAdjusting({})} data-testid="adjust-new">
              {t('adjust')}
            </Button>
          ) : null}
          <Button icon={<ReloadOutlined />} onClick={() => query.refetch()}>
            {t('refresh')}
          </Button>
        </Space>
      </Space>
      {query.error ? <ErrorAlert error={query.error} onRetry={() => query.refetch()} /> : null}
      <Table<StockLevelView>
        data-testid="levels-table"
        rowKey={(l) => `${l.sku}@${l.warehouse}`}
        size="middle"
        loading={query.isFetching}
        dataSource={levels.items}
        pagination={false}
        scroll={{ x: 'max-content' }}
        rowClassName={(l) => (l.belowSafety ? 'below-safety' : '')}
        columns={[
          { title: t('sku'), dataIndex: 'sku' },
          { title: t('warehouse'), dataIndex: 'warehouse', render: (c: string) => warehouseName(c) },
          { title: t('onHand'), dataIndex: 'onHand', align: 'right' },
          { title: t('available'), dataIndex: 'available', align: 'right' },
          { title: t('reserved'), dataIndex: 'reserved', align: 'right' },
          { title: t('frozen'), dataIndex: 'frozen', align: 'right' },
          { title: t('safety'), dataIndex: 'safetyStock', align: 'right' },
          { title: t('sellable'), dataIndex: 'sellable', align: 'right' },
          { title: t('inTransit'), dataIndex: 'inTransit', align: 'right' },
          {
            title: '',
            dataIndex: 'belowSafety',
            render: (v: boolean) => (v ? <Tag color="red">{t('belowSafety')}</Tag> : null),
          },
          { title: t('updatedAt'), dataIndex: 'updatedAt', render: (v: string) => <Time at={v} /> },
          ...(mayAdjust
            ? [
                {
                  title: '',
                  key: 'actions',
                  render: (_: unknown, l: StockLevelView) => (
                    <Button size="small" onClick={() => setAdjusting(l)} data-testid="adjust">
                      {t('adjust')}
                    </Button>
                  ),
                },
              ]
            : []),
        ]}
      />
      <PagerButtons pager={levels} />
      {adjusting ? <AdjustModal level={adjusting} onClose={() => setAdjusting(null)} /> : null}
    </Card>
  );
}
