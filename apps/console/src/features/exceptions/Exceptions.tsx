import { HOLD_REASON_LABELS, type OrderDetailView, type OrderView } from '@orderhub/contracts';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { App, Badge, Button, Card, Empty, Select, Space, Table, Tabs, Tooltip, Typography } from 'antd';
import { useState } from 'react';
import { Link, useSearchParams } from 'react-router';
import { api } from '../../shared/api.ts';
import { formatDuration } from '../../shared/format.ts';
import { labelOf, useLocale, useT } from '../../shared/i18n.tsx';
import { EVENT_LABELS } from '../../shared/messages.ts';
import { ChannelName, ErrorAlert, Money, PageTitle, Time } from '../../shared/ui.tsx';

const M = {
  'zh-CN': {
    title: '异常队列',
    oldest: '最久 {age}',
    decisions: '处理',
    empty: '这个队列是空的',
    more: '更多',
    reasonFor: '选择原因',
  },
  'en-US': {
    title: 'Exception queues',
    oldest: 'oldest {age}',
    decisions: 'Decide',
    empty: 'This queue is empty',
    more: 'More',
    reasonFor: 'Choose a reason',
  },
};

interface Holds {
  total: number;
  reasons: { reason: string; count: number; oldestAgeSeconds: number | null }[];
}

/** One tab per hold reason the server reports: a new reason is a new queue, with no console change. */
export default function Exceptions() {
  const t = useT(M);
  const { locale } = useLocale();
  const [params, setParams] = useSearchParams();
  const holds = useQuery({ queryKey: ['metrics', 'holds'], queryFn: () => api<Holds>('/api/orders/holds') });
  const reasons = holds.data?.reasons ?? [];
  const active = params.get('reason') ?? reasons.find((r) => r.count > 0)?.reason ?? reasons[0]?.reason;

  return (
    <div>
      <PageTitle>{t('title')}</PageTitle>
      {holds.error ? <ErrorAlert error={holds.error} onRetry={() => holds.refetch()} /> : null}
      <Card size="small">
        <Tabs
          activeKey={active}
          onChange={(k) => setParams({ reason: k })}
          items={reasons.map((r) => ({
            key: r.reason,
            label: (
              <Space data-queue={r.reason}>
                {labelOf(HOLD_REASON_LABELS, r.reason, locale)}
                <Badge
                  count={r.count}
                  showZero
                  color={r.count ? '#fa541c' : '#d9d9d9'}
                  overflowCount={99999}
                />
              </Space>
            ),
          }))}
        />
        {active ? (
          <Queue
            reason={active}
            oldest={reasons.find((r) => r.reason === active)?.oldestAgeSeconds ?? null}
          />
        ) : null}
      </Card>
    </div>
  );
}

function Queue({ reason, oldest }: { reason: string; oldest: number | null }) {
  const t = useT(M);
  const { locale } = useLocale();
  const [cursors, setCursors] = useState<(string | undefined)[]>([undefined]);
  const list = useQuery({
    queryKey: ['orders', 'list', 'holds', reason, cursors.at(-1)],
    queryFn: () =>
      api<{ items: OrderView[]; nextCursor: string | null }>('/api/orders', {
        query: {
          status: 'on_hold',
          holdReason: reason,
          limit: 20,
          cursor: cursors.at(-1),
          sort: 'updatedAt:asc',
        },
      }),
  });
  if (list.error) return <ErrorAlert error={list.error} onRetry={() => list.refetch()} />;
  return (
    <>
      {oldest !== null ? (
        <Typography.Text type="secondary">
          {t('oldest', { age: formatDuration(oldest, locale) })}
        </Typography.Text>
      ) : null}
      <Table<OrderView>
        size="small"
        rowKey="id"
        loading={list.isFetching}
        pagination={false}
        dataSource={list.data?.items ?? []}
        locale={{ emptyText: <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('empty')} /> }}
        data-testid="queue"
        columns={[
          { title: t('orderNo'), render: (_, o) => <Link to={`/orders/${o.id}`}>{o.externalOrderId}</Link> },
          { title: t('channel'), render: (_, o) => <ChannelName channel={o.channel} /> },
          {
            title: t('total'),
            align: 'right',
            render: (_, o) => <Money minor={o.total} currency={o.currency} />,
          },
          { title: t('placedAt'), render: (_, o) => <Time at={o.placedAt} /> },
          { title: t('decisions'), render: (_, o) => <Decisions orderId={o.id} /> },
        ]}
      />
      <Space style={{ marginTop: 8 }}>
        <Button disabled={cursors.length < 2} onClick={() => setCursors((c) => c.slice(0, -1))}>
          {t('prevPage')}
        </Button>
        <Button
          disabled={!list.data?.nextCursor}
          onClick={() => setCursors((c) => [...c, list.data!.nextCursor!])}
        >
          {t('nextPage')}
        </Button>
      </Space>
    </>
  );
}

/** The decisions the server offers for this order right now (its next events), one click each. */
function Decisions({ orderId }: { orderId: string }) {
  const t = useT(M);
  const { locale } = useLocale();
  const { message } = App.useApp();
  const qc = useQueryClient();
  const [reason, setReason] = useState<Record<string, string>>({});
  const detail = useQuery({
    queryKey: ['orders', 'detail', orderId],
    queryFn: () => api<OrderDetailView>(`/api/orders/${encodeURIComponent(orderId)}`),
  });
  if (!detail.data) return null;
  const o = detail.data;
  async function decide(event: string, reasonCode?: string) {
    try {
      await api(`/api/orders/${encodeURIComponent(orderId)}/transitions`, {
        method: 'POST',
        body: { event, version: o.version, ...(reasonCode ? { reasonCode } : {}) },
      });
      message.success(labelOf(EVENT_LABELS, event, locale));
      await qc.invalidateQueries({ queryKey: ['orders'] });
      await qc.invalidateQueries({ queryKey: ['metrics'] });
    } catch (e) {
      const err = e as { code?: string; detail?: string };
      message.error(`${err.code}: ${err.detail}`);
    }
  }
  return (
    <Space wrap size={4}>
      {o.nextEvents.map((ev) =>
        ev.needsReason ? (
          <Space.Compact key={ev.event} size="small">
            <Select
              size="small"
              style={{ width: 150 }}
              placeholder={t('reasonFor')}
              value={reason[ev.event]}
              onChange={(v) => setReason((r) => ({ ...r, [ev.event]: v }))}
              options={ev.needsReason.map((r) => ({
                value: r,
                label: labelOf(HOLD_REASON_LABELS, r, locale),
              }))}
              disabled={!ev.allowed}
            />
            <Button
              size="small"
              danger
              disabled={!ev.allowed || !reason[ev.event]}
              onClick={() => decide(ev.event, reason[ev.event])}
            >
              {labelOf(EVENT_LABELS, ev.event, locale)}
            </Button>
          </Space.Compact>
        ) : (
          <Tooltip key={ev.event} title={ev.blockedBy?.message}>
            <Button
              size="small"
              type={ev.event === 'approve' ? 'primary' : 'default'}
              disabled={!ev.allowed}
              onClick={() => decide(ev.event)}
              data-decision={ev.event}
            >
              {labelOf(EVENT_LABELS, ev.event, locale)}
            </Button>
          </Tooltip>
        ),
      )}
      {o.nextEvents.filter((e) => !e.allowed).length ? (
        <Typography.Text type="danger" style={{ fontSize: 12 }}>
          {o.nextEvents.find((e) => !e.allowed)?.blockedBy?.message}
        </Typography.Text>
      ) : null}
    </Space>
  );
}
