import { type OrderDetailView, PAYMENT_PROVIDER_LABELS } from '@orderhub/contracts';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { Button, Card, Descriptions, Empty, Space, Table, Tag, Tooltip, Typography } from 'antd';
import { useEffect, useRef, useState } from 'react';
import { labelOf, useLocale, useT } from '../../../shared/i18n.tsx';
import {
  type FundVoucherView,
  KEYS,
  orderPayments,
  type PaymentAttemptView,
  type RefundView,
} from '../../../shared/payments/api.ts';
import { messages } from '../../../shared/payments/messages.ts';
import { RefundDialog } from '../../../shared/payments/RefundDialog.tsx';
import { ClientDetails, StartPaymentDialog } from '../../../shared/payments/StartPaymentDialog.tsx';
import { refundErrorText, refundReasonText, skewMinutes } from '../../../shared/payments/sentences.ts';
import {
  ATTEMPT_STATUS_LABELS,
  DISPOSITION_LABELS,
  REFUND_STATUS_LABELS,
  VOUCHER_KIND_LABELS,
  VOUCHER_SOURCE_LABELS,
} from '../../../shared/payments/words.ts';
import { useSession } from '../../../shared/session.tsx';
import { ErrorAlert, Money, Time } from '../../../shared/ui.tsx';

/** The server's default skew alert line (ORDERHUB_PAYMENT_SKEW_ALERT_SECONDS), used until a skew warning names it. */
const DEFAULT_SKEW_ALERT_SECONDS = 120;

const ATTEMPT_COLORS: Record<string, string> = {
  pending: 'blue',
  paid: 'green',
  closed: 'default',
  failed: 'red',
};
const REFUND_COLORS: Record<string, string> = {
  requested: 'blue',
  processing: 'blue',
  succeeded: 'green',
  failed: 'red',
};

/**
 * An order's money: payment attempts (and what the buyer was given), fund vouchers with the
 * provider's time and ours, refunds; collect and refund buttons for those allowed.
 */
export function PaymentsCard({ order }: { order: OrderDetailView }) {
  const { can } = useSession();
  if (!can('payments:read')) return null;
  return <PaymentsCardBody order={order} />;
}

function PaymentsCardBody({ order }: { order: OrderDetailView }) {
  const t = useT(messages);
  const { locale } = useLocale();
  const { can } = useSession();
  const qc = useQueryClient();
  const [dialog, setDialog] = useState<'pay' | 'refund' | null>(null);
  const q = useQuery({
    queryKey: KEYS.order(order.id),
    queryFn: () => orderPayments(order.id),
    // While money is on its way (a payment or a refund not final), look again every few seconds.
    refetchInterval: (query) => {
      const d = query.state.data;
      const moving =
        d?.attempts.some((a) => a.status === 'pending') ||
        d?.refunds.some((r) => r.status === 'requested' || r.status === 'processing');
      return moving ? 3000 : false;
    },
  });
  // When the money changed, the order (status, timeline) changed with it.
  const signature = q.data
    ? `${q.data.vouchers.length}:${q.data.refunds.map((r) => r.status).join(',')}:${q.data.attempts.map((a) => a.status).join(',')}`
    : '';
  const last = useRef(signature);
  useEffect(() => {
    if (last.current && signature && last.current !== signature)
      void qc.invalidateQueries({ queryKey: ['orders', 'detail', order.id] });
    last.current = signature;
  }, [signature, qc, order.id]);

  const skewLine = skewThreshold(order);
  const d = q.data;
  const owed = d ? d.total - d.paid : 0;
  const mayCollect = can('payments:collect') && order.status === 'pending_payment' && owed > 0;
  const mayRefund = can('payments:refund') && Boolean(d && d.refundable > 0);
  if (
    d &&
    !d.attempts.length &&
    !d.vouchers.length &&
    !d.refunds.length &&
    order.status !== 'pending_payment'
  )
    return null;

  return (
    <Card
      size="small"
      title={t('card')}
      style={{ marginBottom: 16 }}
      data-testid="payments-card"
      extra={
        <Space>
          {mayCollect ? (
            <Button type="primary" onClick={() => setDialog('pay')} data-action="start-payment">
              {t('startPayment')}
            </Button>
          ) : null}
          {mayRefund ? (
            <Button danger onClick={() => setDialog('refund')} data-action="refund">
              {t('refund')}
            </Button>
          ) : null}
        </Space>
      }
    >
      {q.error ? <ErrorAlert error={q.error} onRetry={() => q.refetch()} /> : null}
      {d ? (
        <>
          <Descriptions size="small" column={{ xs: 1, sm: 3 }} style={{ marginBottom: 12 }}>
            <Descriptions.Item label={t('total')}>
              <Money minor={d.total} currency={d.currency} />
            </Descriptions.Item>
            <Descriptions.Item label={t('paid')}>
              <span data-testid="payments-paid" data-minor={d.paid}>
                <Money minor={d.paid} currency={d.currency} />
              </span>
            </Descriptions.Item>
            <Descriptions.Item label={t('refundable')}>
              <span data-testid="payments-refundable" data-minor={d.refundable}>
                <Money minor={d.refundable} currency={d.currency} />
              </span>
            </Descriptions.Item>
          </Descriptions>
          {!d.attempts.length && !d.vouchers.length ? (
            <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('noPayments')} />
          ) : null}
          {d.attempts.length ? (
            <Section title={t('attempts')}>
              <Table<PaymentAttemptView>
                rowKey="id"
                size="small"
                pagination={false}
                dataSource={d.attempts}
                scroll={{ x: 'max-content' }}
                onRow={(a) =>
                  ({
                    'data-attempt': a.merchantTradeNo,
                    'data-status': a.status,
                  }) as React.HTMLAttributes<HTMLElement>
                }
                expandable={{
                  expandedRowRender: (a) => <ClientDetails attempt={a} />,
                  rowExpandable: (a) => Object.keys(a.client).length > 0,
                }}
                columns={[
                  {
                    title: t('provider'),
                    dataIndex: 'provider',
                    render: (p: string, a) => (
                      <>
                        <div>{labelOf(PAYMENT_PROVIDER_LABELS, p, locale)}</div>
                        <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                          {a.paymentAccount}
                        </Typography.Text>
                      </>
                    ),
                  },
                  {
                    title: t('tradeNo'),
                    dataIndex: 'merchantTradeNo',
                    render: (no: string, a) => (
                      <Numbered no={no} createdAt={a.createdAt} label={t('createdAt')} />
                    ),
                  },
                  {
                    title: t('amount'),
                    align: 'right',
                    render: (_, a) => <Money minor={a.amount} currency={a.currency} />,
                  },
                  {
                    title: t('attemptStatus'),
                    dataIndex: 'status',
                    render: (s: string, a) => (
                      <Space size={4}>
                        <Tag color={ATTEMPT_COLORS[s] ?? 'default'}>
                          {labelOf(ATTEMPT_STATUS_LABELS, s, locale)}
                        </Tag>
                        {a.queryCount ? (
                          <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                            {t('queries', { n: a.queryCount })}
                          </Typography.Text>
                        ) : null}
                      </Space>
                    ),
                  },
                  { title: t('buyerGot'), key: 'client', render: (_, a) => clientSummary(a, t) },
                ]}
              />
            </Section>
          ) : null}
          {d.vouchers.length ? (
            <Section title={t('vouchers')}>
              <Table<FundVoucherView>
                rowKey="id"
                size="small"
                pagination={false}
                dataSource={d.vouchers}
                scroll={{ x: 'max-content' }}
                onRow={(v) =>
                  ({
                    'data-voucher': v.providerTxnId,
                    'data-kind': v.kind,
                  }) as React.HTMLAttributes<HTMLElement>
                }
                columns={[
                  {
                    title: t('kind'),
                    dataIndex: 'kind',
                    render: (k: string, v) => (
                      <Space size={4} wrap>
                        <span>{labelOf(VOUCHER_KIND_LABELS, k, locale)}</span>
                        {v.disposition !== 'applied' && v.disposition !== 'refunded' ? (
                          <Tag color={v.exception ? 'volcano' : 'default'}>
                            {labelOf(DISPOSITION_LABELS, v.disposition, locale)}
                          </Tag>
                        ) : null}
                      </Space>
                    ),
                  },
                  {
                    title: t('amount'),
                    align: 'right',
                    // The provider's fee, where known, under the amount.
                    render: (_, v) => (
                      <>
                        <span data-voucher-amount={v.amount}>
                          <Money minor={v.amount} currency={v.currency} />
                        </span>
                        {v.fee === null ? null : (
                          <div data-voucher-fee={v.fee}>
                            <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                              {t('fee')} <Money minor={v.fee} currency={v.currency} />
                            </Typography.Text>
                          </div>
                        )}
                      </>
                    ),
                  },
                  {
                    title: t('providerTxn'),
                    dataIndex: 'providerTxnId',
                    // Long ids (a refund's "refund:…") break anywhere rather than widen the table.
                    render: (s: string) => (
                      <span
                        style={{
                          fontSize: 12,
                          wordBreak: 'break-all',
                          display: 'inline-block',
                          maxWidth: 200,
                        }}
                      >
                        {s}
                      </span>
                    ),
                  },
                  {
                    title: t('source'),
                    dataIndex: 'source',
                    render: (s: string) => labelOf(VOUCHER_SOURCE_LABELS, s, locale),
                  },
                  {
                    // The provider's time and ours in one column, one under the other (with the
                    // skew under them when it is above the alert line): the table fits a 1024 px screen.
                    title: t('times'),
                    key: 'times',
                    render: (_, v) => (
                      <div style={{ whiteSpace: 'nowrap' }}>
                        <TimeLine label={t('providerTimeShort')} at={v.providerTime} />
                        <TimeLine label={t('ourTimeShort')} at={v.receivedAt} />
                        {v.skewSeconds !== null && Math.abs(v.skewSeconds) > skewLine ? (
                          <Tooltip title={t('skewAbove', { m: skewMinutes(v.skewSeconds) })}>
                            <Tag color="orange" data-skew={v.skewSeconds}>
                              {t('skewMinutes', {
                                m: `${v.skewSeconds < 0 ? '-' : '+'}${skewMinutes(v.skewSeconds)}`,
                              })}
                            </Tag>
                          </Tooltip>
                        ) : null}
                      </div>
                    ),
                  },
                ]}
              />
            </Section>
          ) : null}
          {d.refunds.length ? (
            <Section title={t('refunds')}>
              <Table<RefundView>
                rowKey="id"
                size="small"
                pagination={false}
                dataSource={d.refunds}
                scroll={{ x: 'max-content' }}
                onRow={(r) =>
                  ({
                    'data-refund': r.merchantRefundNo,
                    'data-status': r.status,
                  }) as React.HTMLAttributes<HTMLElement>
                }
                columns={[
                  {
                    title: t('refundNo'),
                    dataIndex: 'merchantRefundNo',
                    render: (no: string, r) => (
                      <Numbered no={no} createdAt={r.createdAt} label={t('createdAt')} />
                    ),
                  },
                  {
                    title: t('amount'),
                    align: 'right',
                    render: (_, r) => <Money minor={r.amount} currency={r.currency} />,
                  },
                  {
                    title: t('refundStatus'),
                    key: 'status',
                    // The last failure sits under the status, in words from its code (the server's
                    // English only on hover in the English UI), so a narrow screen shows it too.
                    render: (_, r) => {
                      const e = refundErrorText(r, locale);
                      return (
                        <>
                          <Tag color={REFUND_COLORS[r.status] ?? 'default'}>
                            {labelOf(REFUND_STATUS_LABELS, r.status, locale)}
                          </Tag>
                          {e ? (
                            <div style={{ maxWidth: 280, marginTop: 4, whiteSpace: 'normal' }}>
                              <Typography.Text
                                type="danger"
                                style={{ fontSize: 12 }}
                                title={e.hover ?? undefined}
                                data-refund-error={r.lastErrorReason ?? ''}
                              >
                                {e.text}
                              </Typography.Text>
                            </div>
                          ) : null}
                        </>
                      );
                    },
                  },
                  {
                    title: t('refundReason'),
                    dataIndex: 'reason',
                    render: (r: string) => refundReasonText(r, locale),
                  },
                ]}
              />
            </Section>
          ) : null}
        </>
      ) : null}
      {dialog === 'pay' && d ? (
        <StartPaymentDialog orderId={order.id} payments={d} onClose={() => setDialog(null)} />
      ) : null}
      {dialog === 'refund' && d ? (
        <RefundDialog order={order} payments={d} onClose={() => setDialog(null)} />
      ) : null}
    </Card>
  );
}

/** A trade or refund number with its creation time under it (a column less at 1024 px). */
function Numbered({ no, createdAt, label }: { no: string; createdAt: string; label: string }) {
  return (
    <>
      <div>{no}</div>
      <TimeLine label={label} at={createdAt} />
    </>
  );
}

/** A time on a line of its own, after a small grey word saying which time it is. */
function TimeLine({ label, at }: { label: string; at: string | null }) {
  return (
    <div>
      <Typography.Text type="secondary" style={{ fontSize: 12 }}>
        {label}{' '}
      </Typography.Text>
      <Time at={at} />
    </div>
  );
}

function Section({ title, children }: { title: string; children: React.ReactNode }) {
  return (
    <div style={{ marginTop: 12 }}>
      <Typography.Text strong>{title}</Typography.Text>
      <div style={{ marginTop: 6 }}>{children}</div>
    </div>
  );
}

/** "二维码链接" / "支付链接" / "客户端密钥": which kind of thing the buyer's client got. */
function clientSummary(a: PaymentAttemptView, t: (k: string) => string): string {
  const c = a.client;
  if (c['codeUrl']) return t('qrCode');
  if (c['payUrl']) return t('payUrl');
  if (c['clientSecret']) return t('clientSecret');
  return Object.keys(c).length ? t('prepay') : '—';
}

/** The alert line the server used, as its latest skew warning on this order says; else its default. */
function skewThreshold(order: OrderDetailView): number {
  for (const e of [...order.timeline].reverse()) {
    const d = e.details as Record<string, unknown> | null;
    if (
      e.event === 'payment' &&
      d?.['action'] === 'skew_warning' &&
      typeof d['thresholdSeconds'] === 'number'
    )
      return d['thresholdSeconds'];
  }
  return DEFAULT_SKEW_ALERT_SECONDS;
}
