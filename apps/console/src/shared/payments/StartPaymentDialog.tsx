import { PAYMENT_PROVIDER_LABELS } from '@orderhub/contracts';
import { useQuery } from '@tanstack/react-query';
import { Alert, Button, Descriptions, Form, Modal, Select, Typography } from 'antd';
import { useState } from 'react';
import { formatMoney } from '../format.ts';
import { errorText, useApiMutation } from '../hooks.ts';
import { labelOf, useLocale, useT } from '../i18n.tsx';
import { Time } from '../ui.tsx';
import { KEYS, listAccounts, type OrderPaymentsView, type PaymentAttemptView, startPayment } from './api.ts';
import { messages } from './messages.ts';

/** What the buyer's client needs, by key, in words: the QR link, pay URL or client secret. */
export function ClientDetails({ attempt }: { attempt: PaymentAttemptView }) {
  const t = useT(messages);
  const c = attempt.client;
  const rows: [string, string, string][] = [];
  if (c['codeUrl']) rows.push(['qrCode', c['codeUrl'], 'codeUrl']);
  if (c['payUrl']) rows.push(['payUrl', c['payUrl'], 'payUrl']);
  if (c['clientSecret']) rows.push(['clientSecret', c['clientSecret'], 'clientSecret']);
  const known = new Set(['codeUrl', 'payUrl', 'clientSecret']);
  const rest = Object.entries(c).filter(([k]) => !known.has(k));
  return (
    <Descriptions size="small" column={1} bordered data-testid="payment-client">
      {rows.map(([label, value, k]) => (
        <Descriptions.Item key={k} label={t(label)}>
          <Typography.Text
            copyable={{ text: value, tooltips: [t('copy'), t('copied')] }}
            style={{ wordBreak: 'break-all', fontSize: 12 }}
            data-client={k}
          >
            {value}
          </Typography.Text>
        </Descriptions.Item>
      ))}
      {rest.length ? (
        <Descriptions.Item label={t('prepay')}>
          {rest.map(([k, v]) => (
            <div key={k} style={{ fontSize: 12, wordBreak: 'break-all' }}>
              <Typography.Text type="secondary">{k}</Typography.Text> {v}
            </div>
          ))}
        </Descriptions.Item>
      ) : null}
      <Descriptions.Item label={t('expiresAt')}>
        <Time at={attempt.expiresAt} seconds={false} />
      </Descriptions.Item>
    </Descriptions>
  );
}

/** Start collecting what the order still owes through one active payment account. */
export function StartPaymentDialog({
  orderId,
  payments,
  onClose,
}: {
  orderId: string;
  payments: OrderPaymentsView;
  onClose: () => void;
}) {
  const t = useT(messages);
  const { locale } = useLocale();
  const accounts = useQuery({ queryKey: KEYS.accounts, queryFn: listAccounts });
  const [account, setAccount] = useState<string | undefined>();
  const [result, setResult] = useState<PaymentAttemptView | null>(null);
  const start = useApiMutation((code: string) => startPayment(orderId, code), {
    success: t('started'),
    invalidate: [KEYS.order(orderId), ['orders', 'detail', orderId]],
    onSuccess: (a) => setResult(a),
  });
  const owed = Math.max(0, payments.total - payments.paid);
  return (
    <Modal
      open
      title={t('startPaymentTitle')}
      onCancel={onClose}
      width={640}
      footer={
        result ? (
          <Button onClick={onClose} data-action="close-payment">
            {t('close')}
          </Button>
        ) : (
          <>
            <Button onClick={onClose}>{t('cancel')}</Button>
            <Button
              type="primary"
              disabled={!account}
              loading={start.busy}
              onClick={() => account && start.run(account)}
              data-action="confirm-start-payment"
            >
              {t('startPayment')}
            </Button>
          </>
        )
      }
    >
      {result ? (
        <>
          <Typography.Paragraph>{t('startedTitle')}</Typography.Paragraph>
          <ClientDetails attempt={result} />
        </>
      ) : (
        <>
          <Typography.Paragraph type="secondary">
            {t('startPaymentHelp', { amount: formatMoney(owed, payments.currency, locale) })}
          </Typography.Paragraph>
          {start.error ? (
            <Alert
              type="error"
              showIcon
              style={{ marginBottom: 12 }}
              message={errorText(start.error, locale)}
            />
          ) : null}
          <Form layout="vertical">
            <Form.Item label={t('account')} required>
              <Select
                id="start-payment-account"
                data-testid="start-payment-account"
                value={account}
                onChange={setAccount}
                placeholder={t('choose')}
                loading={accounts.isPending}
                options={(accounts.data ?? [])
                  .filter((a) => a.active)
                  .map((a) => ({
                    value: a.code,
                    label: `${a.name} · ${labelOf(PAYMENT_PROVIDER_LABELS, a.provider, locale)}`,
                  }))}
              />
            </Form.Item>
          </Form>
        </>
      )}
    </Modal>
  );
}
