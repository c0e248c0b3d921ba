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
        locale={{ emptyText: <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('noEvents')} /> }}
        onRow={(e) =>
          ({
            'data-event-outcome': e.outcome,
            'data-event-kind': e.kind,
          }) as React.HTMLAttributes<HTMLElement>
        }
        // The skew under the time, the account under the event, the reason under the outcome:
        // the table fits a 1024 px screen in both languages without scrolling sideways.
        columns={[
          {
            title: t('receivedAt'),
            key: 'receivedAt',
            width: 170,
            render: (_, e) => (
              <div style={{ whiteSpace: 'nowrap' }}>
                <Time at={e.receivedAt} />
                {e.skewSeconds === null ? null : (
                  <div>
                    <Typography.Text type="secondary" style={{ fontSize: 12 }} data-skew={e.skewSeconds}>
                      {t('skew')}{' '}
                      {Math.abs(e.skewSeconds) >= 60
                        ? t('skewMinutes', {
                            m: (e.skewSeconds < 0 ? '-' : '+') + skewMinutes(e.skewSeconds),
                          })
                        : t('skewSeconds', {
                            s: (e.skewSeconds < 0 ? '-' : '+') + Math.abs(Math.round(e.skewSeconds)),
                          })}
                    </Typography.Text>
                  </div>
                )}
              </div>
            ),
          },
          {
            title: `${t('event')} / ${t('account')}`,
            key: 'kind',
            width: 124,
            render: (_, e) => (
              <div>
                {labelOf(EVENT_KIND_LABELS, e.kind, locale)}
                <div
                  title={e.paymentAccount}
                  style={{
                    fontSize: 12,
                    whiteSpace: 'nowrap',
                    overflow: 'hidden',
                    textOverflow: 'ellipsis',
                    maxWidth: 108,
                  }}
                >
                  <Typography.Text type="secondary">{e.paymentAccount}</Typography.Text>
                </div>
              </div>
            ),
          },
          {
            title: `${t('outcome')} / ${t('reason')}`,
            key: 'outcome',
            render: (_, e) => {
              const reason = eventReasonText(e, locale);
              return (
                <div>
                  <Tag color={OUTCOME_COLORS[e.outcome] ?? 'default'}>
                    {labelOf(EVENT_OUTCOME_LABELS, e.outcome, locale)}
                  </Tag>
                  {reason ? (
                    <div data-reason={e.reason ?? ''} title={e.message ?? undefined}>
                      {reason}
                    </div>
                  ) : null}
                </div>
              );
            },
          },
          {
            title: t('tradeNo'),
            key: 'trade',
            // orderhub's own trade numbers (26 characters) fit on one line; a longer one may break
            // anywhere rather than push the table wider than its card.
            width: 264,
            render: (_, e) =>
              e.orderId && e.merchantTradeNo ? (
                <Link to={`/orders/${e.orderId}`} style={{ fontSize: 13, wordBreak: 'break-all' }}>
                  {e.merchantTradeNo}
                </Link>
              ) : (
                <Typography.Text type="secondary" style={{ fontSize: 13, wordBreak: 'break-all' }}>
                  {e.merchantTradeNo ?? '—'}
                </Typography.Text>
              ),
          },
        ]}
      />
    </Card>
  );
}
