import type { OrderDetailView } from '@orderhub/contracts';
import type { ButtonProps } from 'antd';
import { Alert, Checkbox, Form, Input, InputNumber, Modal, Select, Space, Typography } from 'antd';
import { useMemo, useState } from 'react';
import { formatMoney } from '../format.ts';
import { errorText, useApiMutation } from '../hooks.ts';
import { labelOf, useLocale, useT } from '../i18n.tsx';
import { KEYS, newIdempotencyKey, type OrderPaymentsView, requestRefund } from './api.ts';
import { messages } from './messages.ts';
import { minorDigits, parseMinor } from './money.ts';
import { REFUND_REASON_LABELS, REFUND_REASONS, REFUND_STATUS_LABELS } from './words.ts';

/**
 * Refund part or all of what was received: the amount is typed in yuan and read exactly into fen;
 * it may not exceed the refundable amount. One Idempotency-Key per opened dialog, so a retry
 * (double click, lost answer) never refunds twice.
 */
export function RefundDialog({
  order,
  payments,
  onClose,
}: {
  order: OrderDetailView;
  payments: OrderPaymentsView;
  onClose: () => void;
}) {
  const t = useT(messages);
  const { locale } = useLocale();
  const currency = payments.currency;
  // Generated once when the dialog mounts (it is mounted afresh each time it opens).
  const [key] = useState(newIdempotencyKey);
  const [amountText, setAmountText] = useState('');
  const [reason, setReason] = useState<string | undefined>();
  const [lines, setLines] = useState<Record<number, number | null>>({});
  const [touched, setTouched] = useState(false);
  const minor = parseMinor(amountText, currency);
  const refundable = payments.refundable;
  const amountError = !amountText.trim()
    ? null
    : minor === null || minor <= 0
      ? t('refundAmountBad', { digits: minorDigits(currency) })
      : minor > refundable
        ? t('refundTooMuch', { amount: formatMoney(refundable, currency, locale) })
        : null;
  const chosenLines = useMemo(
    () =>
      Object.entries(lines)
        .filter(([, q]) => typeof q === 'number' && q > 0)
        .map(([no, q]) => ({ lineNo: Number(no), quantity: q as number })),
    [lines],
  );
  const refund = useApiMutation(
    () =>
      requestRefund(order.id, key, {
        amount: minor as number,
        reason: reason as string,
        ...(chosenLines.length ? { lines: chosenLines } : {}),
      }),
    {
      success: (r) => t('refundSent', { status: labelOf(REFUND_STATUS_LABELS, r.status, locale) }),
      invalidate: [KEYS.order(order.id), ['orders', 'detail', order.id]],
      onSuccess: () => onClose(),
    },
  );
  const ready = minor !== null && minor > 0 && !amountError && Boolean(reason);

  return (
    <Modal
      open
      title={t('refundTitle')}
      onCancel={onClose}
      okText={t('refundSubmit')}
      cancelText={t('cancel')}
      okButtonProps={
        {
          disabled: !ready,
          loading: refund.busy,
          danger: true,
          'data-action': 'confirm-refund',
        } as ButtonProps
      }
      onOk={() => {
        setTouched(true);
        if (ready) void refund.run();
      }}
      width={620}
      data-testid="refund-dialog"
    >
      <Alert
        type="info"
        showIcon
        style={{ marginBottom: 16 }}
        data-testid="refundable"
        data-refundable={refundable}
        message={t('refundableNow', {
          amount: formatMoney(refundable, currency, locale),
          paid: formatMoney(payments.paid, currency, locale),
        })}
      />
      {refund.error ? (
        <Alert
          type="error"
          showIcon
          style={{ marginBottom: 12 }}
          message={errorText(refund.error, locale)}
          data-testid="refund-error"
        />
      ) : null}
      <Form layout="vertical">
        <Form.Item
          label={t('refundAmount', { currency })}
          required
          validateStatus={amountError ? 'error' : undefined}
          help={amountError ?? undefined}
        >
          <Input
            id="refund-amount"
            inputMode="decimal"
            value={amountText}
            onChange={(e) => setAmountText(e.target.value)}
            placeholder={formatMoney(refundable, currency, locale)}
            style={{ width: 220 }}
            autoComplete="off"
          />
        </Form.Item>
        <Form.Item
          label={t('refundReason')}
          required
          validateStatus={touched && !reason ? 'error' : undefined}
        >
          <Select
            id="refund-reason"
            data-testid="refund-reason"
            value={reason}
            onChange={setReason}
            placeholder={t('choose')}
            options={REFUND_REASONS.map((r) => ({
              value: r,
              label: labelOf(REFUND_REASON_LABELS, r, locale),
            }))}
          />
        </Form.Item>
        {order.lines.length ? (
          <Form.Item label={t('refundLines')} extra={t('refundLinesHelp')}>
            <Space direction="vertical" style={{ width: '100%' }}>
              {order.lines.map((l) => {
                const on = lines[l.lineNo] !== undefined;
                return (
                  <Space key={l.lineNo} data-refund-line={l.lineNo}>
                    <Checkbox
                      checked={on}
                      onChange={(e) =>
                        setLines((cur) => {
                          const next = { ...cur };
                          if (e.target.checked) next[l.lineNo] = l.quantity;
                          else delete next[l.lineNo];
                          return next;
                        })
                      }
                    >
                      {t('line', { n: l.lineNo })} · {l.title ?? l.channelSku}
                      <Typography.Text type="secondary"> ×{l.quantity}</Typography.Text>
                    </Checkbox>
                    {on ? (
                      <InputNumber
                        size="small"
                        min={1}
                        max={l.quantity}
                        precision={0}
                        value={lines[l.lineNo] ?? null}
                        onChange={(v) => setLines((cur) => ({ ...cur, [l.lineNo]: v }))}
                        addonBefore={t('quantity')}
                        style={{ width: 150 }}
                      />
                    ) : null}
                  </Space>
                );
              })}
            </Space>
          </Form.Item>
        ) : null}
      </Form>
    </Modal>
  );
}
