import type { OrderDetailView, OrderView } from '@orderhub/contracts';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { App, Button, Select, Space, Tooltip, Typography } from 'antd';
import { useState } from 'react';
import { ApiError, api } from '../../shared/api.ts';
import { useApiMutation } from '../../shared/hooks.ts';
import { labelOf, useLocale, useT } from '../../shared/i18n.tsx';
import { EVENT_LABELS } from '../../shared/messages.ts';
import { orderNoOf } from '../../shared/orderRef.tsx';
import { type ShortLine, shortLinesOf, shortText } from '../../shared/stock.ts';
import { OUT_OF_STOCK, plainEvents } from './decide.ts';
import { messages } from './messages.ts';
import { blockedWords, errorWords, REASON_LABELS } from './words.ts';

const path = (id: string) => `/api/orders/${encodeURIComponent(id)}`;

/** Moves an order through its machine (`event`, with a reason where it needs one). */
export function transition(o: Pick<OrderView, 'id' | 'version'>, event: string, reasonCode?: string) {
  return api<OrderDetailView>(`${path(o.id)}/transitions`, {
    method: 'POST',
    body: { event, version: o.version, ...(reasonCode ? { reasonCode } : {}) },
  });
}

export type RetryOutcome = { whole: true; order: OrderDetailView } | { whole: false; short: ShortLine[] };

/**
 * Tries every warehouse again for the lines not yet reserved; the server releases the hold when
 * whole (200, the order). Still short is an answer, not a failure: 409 ORDER_STOCK_NOT_RESERVED
 * with the lines, returned as `{ whole: false, short }`.
 */
export async function retryReservation(o: Pick<OrderView, 'id' | 'version'>): Promise<RetryOutcome> {
  try {
    const order = await api<OrderDetailView>(`${path(o.id)}/reservations:retry`, {
      method: 'POST',
      body: { version: o.version },
    });
    return { whole: true, order };
  } catch (e) {
    if (e instanceof ApiError && e.code === 'ORDER_STOCK_NOT_RESERVED')
      return { whole: false, short: shortLinesOf(e.details) ?? [] };
    throw e;
  }
}

/** The decisions the server offers for this order right now (its next events), one click each. */
export function Decisions({ orderId }: { orderId: string }) {
  const t = useT(messages);
  const { locale } = useLocale();
  const { message, modal } = App.useApp();
  const qc = useQueryClient();
  const [reason, setReason] = useState<Record<string, string>>({});
  const detail = useQuery({
    queryKey: ['orders', 'detail', orderId],
    queryFn: () => api<OrderDetailView>(path(orderId)),
  });
  const refresh = [['orders'], ['metrics']] as const;
  const onError = (e: unknown) => message.error(errorWords(e, t));
  const decide = useApiMutation(
    (o: OrderDetailView, event: string, reasonCode?: string) => transition(o, event, reasonCode),
    {
      success: (_r, [, event]) => labelOf(EVENT_LABELS, event, locale),
      invalidate: refresh,
      onError,
    },
  );
  const [stillShort, setStillShort] = useState<ShortLine[] | null>(null);
  const retry = useApiMutation(retryReservation, {
    invalidate: refresh,
    onSuccess: (r) => {
      if (!r.whole) {
        setStillShort(r.short);
        message.warning(r.short.length ? shortText(r.short, locale, 'stillShort') : t('retryShort'));
        return;
      }
      setStillShort(null);
      qc.setQueryData(['orders', 'detail', orderId], r.order);
      if (r.order.status === 'on_hold' && r.order.holdReason === OUT_OF_STOCK)
        message.warning(t('retryShort'));
      else message.success(t('retryDone'));
    },
    onError,
  });

  if (!detail.data) return null;
  const o = detail.data;
  const oos = o.status === 'on_hold' && o.holdReason === OUT_OF_STOCK;
  const cancel = o.nextEvents.find((e) => e.event === 'cancel');
  const mayCancelOos =
    !!cancel?.allowed && (!cancel.needsReason || cancel.needsReason.includes(OUT_OF_STOCK));
  const events = plainEvents(o.holdReason, o.nextEvents);
  const blocked = events.find((e) => !e.allowed)?.blockedBy;
  // What the server says the order lacks (a blocked approve's details), or the last retry's answer.
  const short =
    stillShort ??
    o.nextEvents
      .map((e) =>
        e.blockedBy?.code === 'ORDER_STOCK_NOT_RESERVED' ? shortLinesOf(e.blockedBy.details) : null,
      )
      .find((l) => l?.length) ??
    null;

  function confirmCancelOos() {
    modal.confirm({
      title: t('cancelOos'),
      content: t('cancelOosConfirm', { orderNo: orderNoOf(o) }),
      okButtonProps: { danger: true, 'data-testid': 'cancel-oos-ok' } as never,
      onOk: () => decide.run(o, 'cancel', OUT_OF_STOCK),
    });
  }

  return (
    <Space wrap size={4}>
      {oos ? (
        <>
          <Tooltip title={t('retryTip')}>
            <Button
              size="small"
              type="primary"
              loading={retry.busy}
              onClick={() => void retry.run(o)}
              data-decision="retry-reservation"
            >
              {t('retry')}
            </Button>
          </Tooltip>
          {cancel ? (
            <Tooltip title={mayCancelOos ? undefined : blockedWords(cancel.blockedBy, t, locale)}>
              <Button
                size="small"
                danger
                disabled={!mayCancelOos || decide.busy}
                onClick={confirmCancelOos}
                data-decision="cancel-out-of-stock"
              >
                {t('cancelOos')}
              </Button>
            </Tooltip>
          ) : null}
        </>
      ) : null}
      {events.map((ev) =>
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
                label: labelOf(REASON_LABELS, r, locale),
              }))}
              disabled={!ev.allowed}
            />
            <Button
              size="small"
              danger
              disabled={!ev.allowed || !reason[ev.event] || decide.busy}
              onClick={() => void decide.run(o, ev.event, reason[ev.event])}
            >
              {labelOf(EVENT_LABELS, ev.event, locale)}
            </Button>
          </Space.Compact>
        ) : (
          <Tooltip key={ev.event} title={blockedWords(ev.blockedBy, t, locale)}>
            <Button
              size="small"
              type={ev.event === 'approve' ? 'primary' : 'default'}
              disabled={!ev.allowed || decide.busy}
              onClick={() => void decide.run(o, ev.event)}
              data-decision={ev.event}
            >
              {labelOf(EVENT_LABELS, ev.event, locale)}
            </Button>
          </Tooltip>
        ),
      )}
      {oos && short?.length ? (
        <Typography.Text type="warning" style={{ fontSize: 12 }} data-testid="still-short">
          {shortText(short, locale, stillShort ? 'stillShort' : 'notReserved')}
        </Typography.Text>
      ) : blocked ? (
        <Typography.Text type="danger" style={{ fontSize: 12 }}>
          {blocked.code === 'ORDER_STOCK_NOT_RESERVED' && shortLinesOf(blocked.details)?.length
            ? shortText(shortLinesOf(blocked.details)!, locale)
            : blockedWords(blocked, t, locale)}
        </Typography.Text>
      ) : null}
    </Space>
  );
}
