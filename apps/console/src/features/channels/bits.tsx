/** Small pieces the channels panels share: health badge, an error in words, raw body, status tags. */
import { Badge, Popover, Tag, Typography } from 'antd';
import { useLocale, useT } from '../../shared/i18n.tsx';
import type { HealthStatus } from './api.ts';
import { messages } from './messages.ts';
import { errorWords, rawBodyText } from './words.ts';

const HEALTH_BADGE: Record<HealthStatus, 'success' | 'warning' | 'error'> = {
  green: 'success',
  yellow: 'warning',
  red: 'error',
  expired: 'error',
};

export function HealthBadge({ status }: { status: HealthStatus | undefined }) {
  const t = useT(messages);
  if (!status) return <Typography.Text type="secondary">—</Typography.Text>;
  return (
    <span data-health={status}>
      <Badge status={HEALTH_BADGE[status]} text={t(`health.${status}`)} />
    </span>
  );
}

/** An error in the reader's language; the code and the server's detail on hover/click. */
export function ErrorText({ raw, testId }: { raw: string | null | undefined; testId?: string }) {
  const t = useT(messages);
  const { locale } = useLocale();
  const w = errorWords(raw, locale);
  if (!w) return <Typography.Text type="secondary">—</Typography.Text>;
  return (
    <Popover
      title={t('technicalDetail')}
      content={
        <div style={{ maxWidth: 420, wordBreak: 'break-word' }}>
          {w.code ? <Tag color="red">{w.code}</Tag> : null}
          <Typography.Text type="secondary">{w.detail}</Typography.Text>
        </div>
      }
    >
      <Typography.Text
        type="danger"
        data-testid={testId}
        data-error-code={w.code ?? ''}
        style={{ cursor: 'help' }}
      >
        {w.text}
      </Typography.Text>
    </Popover>
  );
}

const TAG_COLORS: Record<string, string> = {
  received: 'blue',
  processed: 'green',
  failed: 'red',
  rejected: 'volcano',
  queued: 'default',
  running: 'processing',
  done: 'green',
  pending: 'blue',
  pushed: 'green',
  parked: 'magenta',
};

/** A status tag in words: `prefix.status` from the messages. */
export function StatusWord({ prefix, status }: { prefix: string; status: string }) {
  const t = useT(messages);
  return (
    <Tag color={TAG_COLORS[status] ?? 'default'} data-status={status}>
      {t(`${prefix}.${status}`)}
    </Tag>
  );
}

/** A technical body as it came: pretty JSON, or the text, in a scrollable block. */
export function CodeBlock({
  text,
  testId,
  maxHeight = 320,
}: {
  text: string;
  testId?: string;
  maxHeight?: number;
}) {
  return (
    <pre
      data-testid={testId}
      style={{
        maxHeight,
        overflow: 'auto',
        margin: 0,
        padding: 12,
        background: '#f6f8fa',
        border: '1px solid #eaecef',
        borderRadius: 6,
        fontSize: 12,
        lineHeight: 1.5,
        whiteSpace: 'pre',
      }}
    >
      {text}
    </pre>
  );
}

export function RawBody({ message }: { message: { rawBody: string; rawEncoding: 'utf8' | 'base64' } }) {
  return <CodeBlock text={rawBodyText(message).text} testId="inbox-raw" />;
}
