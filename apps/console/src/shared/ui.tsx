import { errorMessage, HOLD_REASON_LABELS, ORDER_STATUS_LABELS } from '@orderhub/contracts';
import { Alert, Button, Space, Tag, Typography } from 'antd';
import type { ReactNode } from 'react';
import { ApiError } from './api.ts';
import { formatMoney, formatTime } from './format.ts';
import { labelOf, useLocale, useT } from './i18n.tsx';
import { CHANNEL_LABELS } from './messages.ts';
import { useSession } from './session.tsx';

const STATUS_COLORS: Record<string, string> = {
  pending_payment: 'default',
  paid: 'blue',
  under_review: 'gold',
  on_hold: 'red',
  approved: 'cyan',
  fulfilling: 'geekblue',
  shipped: 'purple',
  delivered: 'green',
  completed: 'green',
  cancelled: 'default',
  closed: 'default',
};

export function StatusTag({ status }: { status: string }) {
  const { locale } = useLocale();
  return (
    <Tag color={STATUS_COLORS[status] ?? 'default'} data-status={status}>
      {labelOf(ORDER_STATUS_LABELS, status, locale)}
    </Tag>
  );
}

export function HoldReasonTag({ reason }: { reason: string | null }) {
  const { locale } = useLocale();
  if (!reason) return null;
  return (
    <Tag color="volcano" data-hold-reason={reason}>
      {labelOf(HOLD_REASON_LABELS, reason, locale)}
    </Tag>
  );
}

export function ChannelName({ channel }: { channel: string }) {
  const { locale } = useLocale();
  return <>{labelOf(CHANNEL_LABELS, channel, locale)}</>;
}

/** An amount in minor units; hidden from readers without `orders:amounts` (the server sends them null). */
export function Money({ minor, currency }: { minor: number | null; currency: string }) {
  const { locale } = useLocale();
  const { can } = useSession();
  if (minor === null || !can('orders:amounts'))
    return <Typography.Text type="secondary">***</Typography.Text>;
  return <span className="money">{formatMoney(minor, currency, locale)}</span>;
}

export function Time({ at, seconds = true }: { at: string | null | undefined; seconds?: boolean }) {
  const { tz } = useLocale();
  if (!at) return <Typography.Text type="secondary">—</Typography.Text>;
  return (
    <time dateTime={at} title={`${at} (UTC)`}>
      {formatTime(at, tz, seconds)}
    </time>
  );
}

/** An API error with its message and stable code; never a blank page. */
export function ErrorAlert({ error, onRetry }: { error: unknown; onRetry?: () => void }) {
  const t = useT();
  const { locale } = useLocale();
  if (!error) return null;
  const e =
    error instanceof ApiError
      ? error
      : new ApiError(0, 'CLIENT_ERROR', error instanceof Error ? error.message : String(error));
  return (
    <Alert
      type="error"
      showIcon
      data-testid="api-error"
      message={
        <Space wrap>
          <span>{t('errorTitle')}</span>
          <Tag color="red" data-error-code={e.code}>
            {e.code}
          </Tag>
        </Space>
      }
      description={
        <>
          <div data-testid="api-error-text">{errorMessage(e.code, e.details, locale, e.detail)}</div>
          {e.requestId ? (
            <Typography.Text type="secondary" style={{ fontSize: 12 }}>
              {t('requestId')}: {e.requestId}
            </Typography.Text>
          ) : null}
        </>
      }
      action={
        onRetry ? (
          <Button size="small" onClick={onRetry}>
            {t('retry')}
          </Button>
        ) : undefined
      }
    />
  );
}

/** A page's heading (the title alone in its h4), `aside` right after it, `extra` on the right. */
export function PageTitle({
  children,
  extra,
  aside,
}: {
  children: ReactNode;
  extra?: ReactNode;
  aside?: ReactNode;
}) {
  return (
    <div style={{ display: 'flex', alignItems: 'center', justifyContent: 'space-between', marginBottom: 16 }}>
      <div style={{ display: 'flex', alignItems: 'center' }}>
        <Typography.Title level={4} style={{ margin: 0 }}>
          {children}
        </Typography.Title>
        {aside}
      </div>
      <div>{extra}</div>
    </div>
  );
}
