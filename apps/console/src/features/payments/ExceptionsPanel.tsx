import { useQuery } from '@tanstack/react-query';
import type { ButtonProps } from 'antd';
import { Alert, Button, Card, Empty, Form, Input, Modal, Space, Table, Typography } from 'antd';
import { useState } from 'react';
import { Link } from 'react-router';
import { errorText, useApiMutation } from '../../shared/hooks.ts';
import { useLocale, useT } from '../../shared/i18n.tsx';
import {
  KEYS,
  listExceptions,
  type PaymentExceptionView,
  resolveException,
} from '../../shared/payments/api.ts';
import { messages } from '../../shared/payments/messages.ts';
import { ErrorAlert, Money, Time } from '../../shared/ui.tsx';

const QUEUES = [
  { exception: 'PAID_AFTER_CANCEL', title: 'paidAfterCancel', help: 'queueHelpPaidAfterCancel' },
  { exception: 'AMOUNT_MISMATCH', title: 'mismatch', help: 'queueHelpMismatch' },
  { exception: 'OVERPAID', title: 'overpaid', help: 'queueHelpOverpaid' },
] as const;

/** The vouchers someone must act on, one queue per kind, each with "mark as handled". */
export function ExceptionsPanel({ mayResolve }: { mayResolve: boolean }) {
  return (
    <Space direction="vertical" size={16} style={{ width: '100%' }}>
      {QUEUES.map((q) => (
        <Queue key={q.exception} {...q} mayResolve={mayResolve} />
      ))}
    </Space>
  );
}

function Queue({
  exception,
  title,
  help,
  mayResolve,
}: {
  exception: string;
  title: string;
  help: string;
  mayResolve: boolean;
}) {
  const t = useT(messages);
  const q = useQuery({
    queryKey: KEYS.exceptions(exception),
    queryFn: () => listExceptions(exception),
    refetchInterval: 30_000,
  });
  const [resolving, setResolving] = useState<PaymentExceptionView | null>(null);
  return (
    <Card
      size="small"
      title={
        <span data-queue-title={exception}>
          {t(title)} {q.data ? <Typography.Text type="secondary">（{q.data.length}）</Typography.Text> : null}
        </span>
      }
      data-queue={exception}
    >
      <Typography.Paragraph type="secondary" style={{ marginBottom: 8 }}>
        {t(help)}
      </Typography.Paragraph>
      {q.error ? <ErrorAlert error={q.error} onRetry={() => q.refetch()} /> : null}
      <Table<PaymentExceptionView>
        rowKey="id"
        size="small"
        loading={q.isPending}
        dataSource={q.data ?? []}
        pagination={false}
        locale={{ emptyText: <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('queueEmpty')} /> }}
        onRow={(v) => ({ 'data-voucher': v.id }) as React.HTMLAttributes<HTMLElement>}
        // The order's number, then the trade number and account under it, and the time under the
        // provider's transaction: the button that marks a voucher handled stays on a 1024 px
        // screen in both languages.
        columns={[
          {
            title: t('order'),
            dataIndex: 'orderId',
            render: (id: string | null, v) => (
              <div data-order-no={v.orderNo ?? ''}>
                {id ? <Link to={`/orders/${id}`}>{v.orderNo ?? v.merchantTradeNo}</Link> : '—'}
                <div>
                  <Typography.Text type="secondary" style={{ fontSize: 12, wordBreak: 'break-all' }}>
                    {v.merchantTradeNo} · {v.paymentAccount}
                  </Typography.Text>
                </div>
              </div>
            ),
          },
          {
            title: t('amount'),
            align: 'right',
            width: 110,
            render: (_, v) => <Money minor={v.amount} currency={v.currency} />,
          },
          {
            title: `${t('providerTxn')} / ${t('receivedAt')}`,
            key: 'txn',
            render: (_, v) => (
              <div>
                <Typography.Text style={{ fontSize: 12, wordBreak: 'break-all' }}>
                  {v.providerTxnId}
                </Typography.Text>
                <div>
                  <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                    <Time at={v.receivedAt} />
                  </Typography.Text>
                </div>
              </div>
            ),
          },
          ...(mayResolve
            ? [
                {
                  title: t('actions'),
                  key: 'a',
                  render: (_: unknown, v: PaymentExceptionView) => (
                    <Button size="small" onClick={() => setResolving(v)} data-action="resolve">
                      {t('resolve')}
                    </Button>
                  ),
                },
              ]
            : []),
        ]}
      />
      <ResolveDialog voucher={resolving} exception={exception} onClose={() => setResolving(null)} />
    </Card>
  );
}

function ResolveDialog({
  voucher,
  exception,
  onClose,
}: {
  voucher: PaymentExceptionView | null;
  exception: string;
  onClose: () => void;
}) {
  const t = useT(messages);
  const { locale } = useLocale();
  const [note, setNote] = useState('');
  const resolve = useApiMutation((id: string, text: string) => resolveException(id, text), {
    success: t('resolved'),
    invalidate: [KEYS.exceptions(exception)],
    onSuccess: () => {
      setNote('');
      onClose();
    },
  });
  return (
    <Modal
      open={voucher !== null}
      title={t('resolveTitle')}
      onCancel={onClose}
      okText={t('resolve')}
      cancelText={t('cancel')}
      okButtonProps={
        { disabled: !note.trim(), loading: resolve.busy, 'data-action': 'confirm-resolve' } as ButtonProps
      }
      onOk={() => voucher && resolve.run(voucher.id, note.trim())}
      destroyOnHidden
    >
      {resolve.error ? (
        <Alert
          type="error"
          showIcon
          message={errorText(resolve.error, locale)}
          style={{ marginBottom: 12 }}
        />
      ) : null}
      <Form layout="vertical">
        <Form.Item label={t('resolveNote')} extra={t('resolveNoteHelp')} required>
          <Input.TextArea
            rows={3}
            maxLength={500}
            value={note}
            onChange={(e) => setNote(e.target.value)}
            id="resolve-note"
          />
        </Form.Item>
      </Form>
    </Modal>
  );
}
