import { useQuery } from '@tanstack/react-query';
import { Button, DatePicker, Form, Space, Table } from 'antd';
import type { Dayjs } from 'dayjs';
import { useState } from 'react';
import { api } from '../../shared/api.ts';
import { useApiMutation } from '../../shared/hooks.ts';
import { useT } from '../../shared/i18n.tsx';
import { ErrorAlert, Time } from '../../shared/ui.tsx';
import { type Backfill, type ChannelAccount, KEYS } from './api.ts';
import { ErrorText, StatusWord } from './bits.tsx';
import { messages } from './messages.ts';

/** Pull a range again: picked in the browser's zone, sent as instants; the list of backfills with their state. */
export function BackfillPanel({ account, mayManage }: { account: ChannelAccount; mayManage: boolean }) {
  const t = useT(messages);
  const [range, setRange] = useState<[Dayjs | null, Dayjs | null] | null>(null);
  const list = useQuery({
    queryKey: KEYS.backfills(account.id),
    queryFn: ({ signal }) =>
      api<Backfill[]>(`/api/channel-accounts/${encodeURIComponent(account.id)}/backfills`, { signal }),
    // While one is queued or running, follow it.
    refetchInterval: (q) =>
      (q.state.data ?? []).some((b) => b.status === 'queued' || b.status === 'running') ? 3000 : false,
  });
  const start = useApiMutation(
    (from: string, to: string) =>
      api<Backfill>(`/api/channel-accounts/${encodeURIComponent(account.id)}/backfill`, {
        method: 'POST',
        body: { from, to },
      }),
    {
      success: t('backfillQueued'),
      invalidate: [KEYS.backfills(account.id)],
      onSuccess: () => setRange(null),
    },
  );
  const from = range?.[0];
  const to = range?.[1];
  return (
    <div data-testid="backfill-panel">
      {mayManage ? (
        <Form layout="vertical">
          <Form.Item label={t('backfillRange')}>
            <Space wrap>
              <DatePicker.RangePicker
                showTime={{ format: 'HH:mm' }}
                format="YYYY-MM-DD HH:mm"
                value={range}
                onChange={(v) => setRange(v as [Dayjs | null, Dayjs | null] | null)}
                placeholder={[t('backfillFrom'), t('backfillTo')]}
                data-testid="backfill-range"
              />
              <Button
                type="primary"
                disabled={!from || !to}
                loading={start.busy}
                data-action="start-backfill"
                onClick={() =>
                  from && to && start.run(from.toDate().toISOString(), to.toDate().toISOString())
                }
              >
                {t('backfillStart')}
              </Button>
            </Space>
          </Form.Item>
        </Form>
      ) : null}
      <ErrorAlert error={start.error} />
      {list.error ? <ErrorAlert error={list.error} onRetry={() => list.refetch()} /> : null}
      <Table<Backfill>
        data-testid="backfills-table"
        rowKey="id"
        size="small"
        title={() => t('backfills')}
        loading={list.isPending}
        dataSource={list.data ?? []}
        pagination={{ pageSize: 20, hideOnSinglePage: true }}
        columns={[
          { title: t('createdAt'), dataIndex: 'createdAt', render: (v: string) => <Time at={v} /> },
          {
            title: t('backfillFrom'),
            dataIndex: 'from',
            render: (v: string) => <Time at={v} seconds={false} />,
          },
          { title: t('backfillTo'), dataIndex: 'to', render: (v: string) => <Time at={v} seconds={false} /> },
          {
            title: t('status'),
            dataIndex: 'status',
            render: (s: string) => <StatusWord prefix="backfill" status={s} />,
          },
          {
            title: t('backfillDoneTo'),
            dataIndex: 'doneTo',
            render: (v: string) => <Time at={v} seconds={false} />,
          },
          { title: t('backfillOrders'), dataIndex: 'orders', align: 'right' },
          { title: t('error'), dataIndex: 'error', render: (e: string | null) => <ErrorText raw={e} /> },
        ]}
      />
    </div>
  );
}
