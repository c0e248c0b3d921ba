import { useQuery } from '@tanstack/react-query';
import { Button, Card, Empty, Select, Space, Table, Tag, Typography } from 'antd';
import { useState } from 'react';
import { Link } from 'react-router';
import { labelOf, useLocale, useT } from '../../shared/i18n.tsx';
import { KEYS, listAccounts, listEvents, type PaymentEventView } from '../../shared/payments/api.ts';
import { messages } from '../../shared/payments/messages.ts';
import { eventReasonText, skewMinutes } from '../../shared/payments/sentences.ts';
import { EVENT_KIND_LABELS, EVENT_OUTCOME_LABELS } from '../../shared/payments/words.ts';
import { ErrorAlert, Time } from '../../shared/ui.tsx';

const OUTCOME_COLORS: Record<string, string> = {
  applied: 'green',
  duplicate: 'default',
  refused: 'red',
  failed: 'red',
  unknown_trade: 'orange',
  pending: 'blue',
};

/** Callbacks, refusals, queries and refund steps, newest first. */
export function EventsPanel() {
  const t = useT(messages);
  const { locale } = useLocale();
  const [account, setAccount] = useState<string | undefined>();
  const [outcome, setOutcome] = useState<string | undefined>();
  const accounts = useQuery({ queryKey: KEYS.accounts, queryFn: listAccounts });
  const filter = { paymentAccount: account, outcome };
  const q = useQuery({
    queryKey: KEYS.events(filter),
    queryFn: () => listEvents(filter),
    refetchInterval: 30_000,
  });
  return (
    <Card
      size="small"
      title={
        <Space wrap>
          <Select
            allowClear
            placeholder={t('filterAccount')}
            style={{ width: 200 }}
            value={account}
            onChange={setAccount}
            options={(accounts.data ?? []).map((a) => ({ value: a.code, label: a.name }))}
          />
          <Select
            allowClear
            placeholder={t('filterOutcome')}
            style={{ width: 200 }}
            value={outcome}
            onChange={setOutcome}
            options={Object.keys(EVENT_OUTCOME_LABELS).map((o) => ({
              value: o,
              label: labelOf(EVENT_OUTCOME_LABELS, o, locale),
            }))}
          />
        </Space>
      }
      extra={
        <Button onClick={() => q.refetch()} data-action="refresh-events">
          {t('refresh')}
        </Button>
      }
    >
      {q.error ? <ErrorAlert error={q.error} onRetry={() => q.refetch()} /> : null}
      <Table<PaymentEventView>
        data-testid="payment-events"
        rowKey="id"
        size="small"
        loading={q.isPending}
        dataSource={q.data ?? []}
        pagination={{ pageSize: 50, hideOnSinglePage: true }}
        scroll={{ x: 1000 }}
        locale={{ emptyText: <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('noEvents')} /> }}
        onRow={(e) =>
          ({
            'data-event-outcome': e.outcome,
            'data-event-kind': e.kind,
          }) as React.HTMLAttributes<HTMLElement>
        }
        columns={[
          {
            title: t('receivedAt'),
            dataIndex: 'receivedAt',
            width: 170,
            render: (at: string) => <Time at={at} />,
          },
          {
            title: t('event'),
            dataIndex: 'kind',
            width: 110,
            render: (k: string) => labelOf(EVENT_KIND_LABELS, k, locale),
          },
          {
            title: t('outcome'),
            dataIndex: 'outcome',
            width: 150,
            render: (o: string) => (
              <Tag color={OUTCOME_COLORS[o] ?? 'default'}>{labelOf(EVENT_OUTCOME_LABELS, o, locale)}</Tag>
            ),
          },
          {
            title: t('reason'),
            key: 'reason',
            render: (_, e) => (
              <span data-reason={e.reason ?? ''} title={e.message ?? undefined}>
                {eventReasonText(e, locale)}
              </span>
            ),
          },
          { title: t('account'), dataIndex: 'paymentAccount', width: 130 },
          {
            title: t('tradeNo'),
            key: 'trade',
            render: (_, e) =>
              e.orderId && e.merchantTradeNo ? (
                <Link to={`/orders/${e.orderId}`}>{e.merchantTradeNo}</Link>
              ) : (
                <Typography.Text type="secondary">{e.merchantTradeNo ?? '—'}</Typography.Text>
              ),
          },
          {
            title: t('skew'),
            dataIndex: 'skewSeconds',
            width: 100,
            render: (s: number | null) =>
              s === null
                ? '—'
                : Math.abs(s) >= 60
                  ? t('skewMinutes', { m: (s < 0 ? '-' : '') + skewMinutes(s) })
                  : t('skewSeconds', { s: Math.round(s) }),
          },
        ]}
      />
    </Card>
  );
}
