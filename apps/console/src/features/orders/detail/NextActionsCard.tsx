import type { OrderDetailView } from '@orderhub/contracts';
import { App, Button, Card, Space, Tooltip, Typography } from 'antd';
import { useState } from 'react';
import { labelOf, useLocale, useT } from '../../../shared/i18n.tsx';
import { EVENT_LABELS } from '../../../shared/messages.ts';
import { useSession } from '../../../shared/session.tsx';
import { shortText } from '../../../shared/stock.ts';
import { ErrorAlert } from '../../../shared/ui.tsx';
import { messages } from '../messages.ts';
import { blockedText, notReservedText, type ShortLine } from '../stock.ts';
import { ReasonModal } from './ReasonModal.tsx';
import type { NextEvent, OrderDetailState } from './useOrderDetail.ts';

/** The transitions the order may take, with the reason in words when one is blocked. */
export function NextActionsCard({
  order: o,
  state,
  short,
}: {
  order: OrderDetailView;
  state: OrderDetailState;
  short: ShortLine[];
}) {
  const t = useT(messages);
  const { locale } = useLocale();
  const [asking, setAsking] = useState<NextEvent | null>(null);
  const { transition, retryReservations } = state;
  const busyEvent = transition.running?.[0].event;
  const outOfStock = o.status === 'on_hold' && o.holdReason === 'OUT_OF_STOCK';

  return (
    <Card size="small" title={t('nextActions')} style={{ marginBottom: 16 }}>
      {outOfStock ? <StockActions order={o} state={state} short={short} /> : null}
      {o.nextEvents.length ? (
        <Space wrap data-testid="next-actions">
          {o.nextEvents.map((ev) => {
            const btn = (
              <Button
                key={ev.event}
                type={ev.event === 'approve' && !outOfStock ? 'primary' : 'default'}
                danger={ev.event === 'cancel' || ev.event === 'close'}
                disabled={!ev.allowed || transition.busy}
                loading={busyEvent === ev.event}
                data-action={ev.event}
                onClick={() => (ev.needsReason ? setAsking(ev) : transition.run(ev))}
              >
                {labelOf(EVENT_LABELS, ev.event, locale)}
              </Button>
            );
            if (ev.allowed) return btn;
            const why = blockedText(ev.blockedBy, { locale, lines: o.lines, short });
            return (
              // The server's own English on hover in the English UI only; the code stays an attribute.
              <Tooltip key={ev.event} title={locale === 'en-US' ? ev.blockedBy?.message : undefined}>
                <span data-blocked={ev.event} data-blocked-code={ev.blockedBy?.code}>
                  {btn}
                  <Typography.Text type="danger" style={{ marginLeft: 6, fontSize: 12 }}>
                    {why}
                  </Typography.Text>
                </span>
              </Tooltip>
            );
          })}
        </Space>
      ) : (
        <Typography.Text type="secondary">{t('noActions')}</Typography.Text>
      )}
      {transition.error || retryReservations.error ? (
        <div style={{ marginTop: 12 }}>
          <ErrorAlert error={transition.error || retryReservations.error} />
        </div>
      ) : null}
      <ReasonModal
        event={asking}
        onCancel={() => setAsking(null)}
        onOk={(reason, note) => {
          const ev = asking!;
          setAsking(null);
          void transition.run(ev, reason, note);
        }}
      />
    </Card>
  );
}

/** What a merchant does with an order held for missing stock, instead of approving it. */
function StockActions({
  order: o,
  state,
  short,
}: {
  order: OrderDetailView;
  state: OrderDetailState;
  short: ShortLine[];
}) {
  const t = useT(messages);
  const { locale } = useLocale();
  const { can } = useSession();
  const { modal } = App.useApp();
  const { transition, retryReservations } = state;
  const cancel = o.nextEvents.find((e) => e.event === 'cancel' && e.allowed);

  return (
    <div data-testid="stock-actions" style={{ marginBottom: 12 }}>
      <Typography.Paragraph style={{ marginBottom: 8 }}>
        <Typography.Text strong>{t('stockActions')}</Typography.Text> · {t('stockActionsHint')}
        {state.stillShort ? (
          <Typography.Text type="warning" style={{ marginLeft: 8 }} data-testid="still-short">
            {shortText(state.stillShort, locale, 'stillShort')}
          </Typography.Text>
        ) : short.length ? (
          <Typography.Text type="danger" style={{ marginLeft: 8 }} data-testid="short-lines">
            {notReservedText(short, locale)}
          </Typography.Text>
        ) : null}
      </Typography.Paragraph>
      <Space wrap>
        <Tooltip title={t('waitStockHint')}>
          <Button
            data-stock-action="wait"
            onClick={() =>
              modal.info({ title: t('waitStock'), content: t('waitStockHint'), okText: t('waitStockOk') })
            }
          >
            {t('waitStock')}
          </Button>
        </Tooltip>
        {can('orders:review') ? (
          <Tooltip title={t('retryReserveHint')}>
            <Button
              type="primary"
              data-stock-action="retry"
              loading={retryReservations.busy}
              disabled={transition.busy}
              onClick={() => retryReservations.run()}
            >
              {t('retryReserve')}
            </Button>
          </Tooltip>
        ) : null}
        {cancel ? (
          <Tooltip title={t('cancelOutOfStockHint')}>
            <Button
              danger
              data-stock-action="cancel"
              disabled={transition.busy || retryReservations.busy}
              onClick={() =>
                modal.confirm({
                  title: t('cancelOutOfStock'),
                  content: t('cancelOutOfStockConfirm', { orderNo: o.orderNo }),
                  okButtonProps: { danger: true, 'data-testid': 'cancel-oos-ok' } as never,
                  onOk: () => transition.run(cancel, 'OUT_OF_STOCK'),
                })
              }
            >
              {t('cancelOutOfStock')}
            </Button>
          </Tooltip>
        ) : null}
      </Space>
    </div>
  );
}
