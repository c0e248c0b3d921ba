import { useQuery } from '@tanstack/react-query';
import { Select, Space, Table, Tooltip } from 'antd';
import { useState } from 'react';
import { api } from '../../shared/api.ts';
import { useT } from '../../shared/i18n.tsx';
import { ErrorAlert, Time } from '../../shared/ui.tsx';
import { type ChannelAccount, KEYS, type StockPush, type StockPushStatus } from './api.ts';
import { ErrorText, StatusWord } from './bits.tsx';
import { messages } from './messages.ts';

const STATUSES: StockPushStatus[] = ['pending', 'pushed', 'failed', 'parked'];

/** Sellable stock told to the channel, per SKU: last value, when, the last error, parked ones. */
export function StockPushPanel({ account }: { account: ChannelAccount }) {
  const t = useT(messages);
  const [status, setStatus] = useState<StockPushStatus | undefined>();
  const list = useQuery({
    queryKey: [...KEYS.stockPushes(account.id), status ?? 'all'],
    queryFn: ({ signal }) =>
      api<StockPush[]>(`/api/channel-accounts/${encodeURIComponent(account.id)}/stock-pushes`, {
        query: { status },
        signal,
      }),
  });
  return (
    <div data-testid="stock-push-panel">
      <Space style={{ marginBottom: 8 }}>
        <Select<StockPushStatus>
          allowClear
          style={{ width: 180 }}
          placeholder={t('allStatuses')}
          value={status}
          onChange={(v) => setStatus(v)}
          options={STATUSES.map((s) => ({ value: s, label: t(`push.${s}`) }))}
        />
      </Space>
      {list.error ? <ErrorAlert error={list.error} onRetry={() => list.refetch()} /> : null}
      <Table<StockPush>
        data-testid="stock-push-table"
        rowKey="sku"
        size="small"
        loading={list.isPending}
        dataSource={list.data ?? []}
        pagination={{ pageSize: 50, hideOnSinglePage: true }}
        onRow={(r) => ({ 'data-sku': r.sku }) as Record<string, string>}
        columns={[
          { title: t('sku'), dataIndex: 'sku' },
          {
            title: t('status'),
            dataIndex: 'status',
            render: (s: StockPushStatus) =>
              s === 'parked' ? (
                <Tooltip title={t('parkedHint')}>
                  <span>
                    <StatusWord prefix="push" status={s} />
                  </span>
                </Tooltip>
              ) : (
                <StatusWord prefix="push" status={s} />
              ),
          },
          { title: t('wanted'), dataIndex: 'wantedValue', align: 'right' },
          {
            title: t('pushedValue'),
            dataIndex: 'pushedValue',
            align: 'right',
            render: (v: number | null) => (v === null ? '—' : v),
          },
          { title: t('pushedAt'), dataIndex: 'pushedAt', render: (v: string | null) => <Time at={v} /> },
          { title: t('attempts'), dataIndex: 'attempts', align: 'right' },
          {
            title: t('lastError'),
            dataIndex: 'lastError',
            render: (e: string | null) => <ErrorText raw={e} />,
          },
          {
            title: t('nextAttempt'),
            dataIndex: 'nextAttemptAt',
            render: (v: string | null) => <Time at={v} />,
          },
        ]}
      />
    </div>
  );
}
