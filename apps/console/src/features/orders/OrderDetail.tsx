import { ExclamationCircleOutlined } from '@ant-design/icons';
import { HOLD_REASON_LABELS, ORDER_STATUS_LABELS } from '@orderhub/contracts';
import { Alert, Skeleton, Space, Typography } from 'antd';
import { useMemo } from 'react';
import { Link, useParams } from 'react-router';
import { formatDuration } from '../../shared/format.ts';
import { labelOf, type TFunction, useLocale, useT } from '../../shared/i18n.tsx';
import type { Anomaly } from '../../shared/sla.ts';
import { ErrorAlert, HoldReasonTag, PageTitle, StatusTag } from '../../shared/ui.tsx';
import { orderAnomalies } from './anomalies.ts';
import { InfoCards, LinesCard } from './detail/InfoCards.tsx';
import { NextActionsCard } from './detail/NextActionsCard.tsx';
import { PaymentsCard } from './detail/PaymentsCard.tsx';
import { ReservationsCard } from './detail/ReservationsCard.tsx';
import { TimelineCards } from './detail/TimelineCards.tsx';
import { useOrderDetail } from './detail/useOrderDetail.ts';
import { messages } from './messages.ts';
import { shortFromEvents, shortLines } from './stock.ts';

export default function OrderDetail() {
  const { id = '' } = useParams();
  const t = useT(messages);
  const { locale } = useLocale();
  const state = useOrderDetail(id);
  const { order, reservations, warehouseNames } = state;
  // The server's own account of the short lines (a blocked event's details) comes first.
  const short = useMemo(
    () =>
      order.data
        ? (shortFromEvents(order.data.nextEvents) ??
          (reservations.data ? shortLines(order.data.lines, reservations.data) : []))
        : [],
    [order.data, reservations.data],
  );

  if (order.isPending) return <Skeleton active style={{ margin: 24 }} />;
  if (order.error) return <ErrorAlert error={order.error} onRetry={() => order.refetch()} />;
  const o = order.data;
  const anomalies = orderAnomalies(o, new Date());
  const warehouseName = (code: string) => warehouseNames.get(code);

  return (
    <div data-testid="order-detail">
      <PageTitle extra={<Link to="/orders">← {t('title')}</Link>}>
        <Space wrap>
          <span>
            {t('detailTitle')} <span data-testid="detail-order-no">{o.orderNo}</span>
          </span>
          <StatusTag status={o.status} />
          <HoldReasonTag reason={o.holdReason} />
          <Typography.Text type="secondary" style={{ fontSize: 13, fontWeight: 'normal' }}>
            {t('channelOrder', { id: o.externalOrderId })}
          </Typography.Text>
        </Space>
      </PageTitle>

      {anomalies.length ? (
        <Alert
          type="warning"
          showIcon
          icon={<ExclamationCircleOutlined />}
          style={{ marginBottom: 16 }}
          message={t('anomalies')}
          data-testid="anomalies"
          description={
            <ul style={{ margin: 0, paddingLeft: 18 }}>
              {anomalies.map((a) => (
                <li key={a.code} data-anomaly={a.code}>
                  {anomalyText(a, t, locale, o.status)}
                </li>
              ))}
            </ul>
          }
        />
      ) : null}

      <NextActionsCard order={o} state={state} short={short} />
      <InfoCards
        order={o}
        receiver={state.revealed ?? o.receiver}
        onReveal={() => state.reveal.run()}
        revealing={state.reveal.busy}
      />
      {state.reveal.error ? (
        <div style={{ marginBottom: 16 }}>
          <ErrorAlert error={state.reveal.error} />
        </div>
      ) : null}
      <LinesCard order={o} />
      <PaymentsCard order={o} />
      <ReservationsCard query={reservations} warehouseName={warehouseName} />
      <TimelineCards order={o} warehouseName={warehouseName} />
    </div>
  );
}

function anomalyText(a: Anomaly, t: TFunction, locale: 'zh-CN' | 'en-US', status: string): string {
  switch (a.code) {
    case 'SKU_UNMAPPED':
      return t('skuUnmapped', { lines: a.detail ?? '' });
    case 'PAYMENT_CALLBACK_FAILED':
      return t('callbackFailed');
    case 'ON_HOLD':
      return `${labelOf(ORDER_STATUS_LABELS, 'on_hold', locale)}${locale === 'zh-CN' ? '：' : ': '}${labelOf(HOLD_REASON_LABELS, a.detail, locale)}`;
    case 'STUCK':
      return t('stuck', {
        status: labelOf(ORDER_STATUS_LABELS, status, locale),
        age: formatDuration(a.ageSeconds, locale),
        sla: formatDuration(a.slaSeconds, locale),
      });
    default:
      return t('errorEntry', { code: a.detail ?? '' });
  }
}
