import { HOLD_REASON_LABELS, ORDER_STATUS_LABELS, ROLE_LABELS } from '@orderhub/contracts';
import { Typography } from 'antd';
import { labelOf, useLocale } from '../../shared/i18n.tsx';
import { KEY_LABELS, OUTCOME_LABELS } from './labels.ts';

type Label = { zh: string; en: string };

/** Which words a summary value is said in, by its key. */
const VALUE_LABELS: Record<string, Record<string, Label>> = {
  from: ORDER_STATUS_LABELS,
  to: ORDER_STATUS_LABELS,
  status: ORDER_STATUS_LABELS,
  reasonCode: HOLD_REASON_LABELS,
  outcome: OUTCOME_LABELS,
  role: ROLE_LABELS,
};

function valueText(key: string, v: unknown, locale: 'zh-CN' | 'en-US'): string {
  if (v === null || v === undefined) return '—';
  if (typeof v === 'string') return VALUE_LABELS[key] ? labelOf(VALUE_LABELS[key], v, locale) : v;
  if (typeof v === 'boolean')
    return v ? (locale === 'zh-CN' ? '是' : 'yes') : locale === 'zh-CN' ? '否' : 'no';
  if (typeof v === 'number') return String(v);
  if (Array.isArray(v))
    return v
      .map((x) =>
        x && typeof x === 'object' && 'sku' in x && 'quantity' in x
          ? `${String((x as { sku: unknown }).sku)} ×${String((x as { quantity: unknown }).quantity)}`
          : valueText(key, x, locale),
      )
      .join(locale === 'zh-CN' ? '、' : ', ');
  return JSON.stringify(v);
}

/** An audit entry's summary as "key: value" pairs in the UI language, not JSON. */
export function Summary({ summary }: { summary: unknown }) {
  const { locale } = useLocale();
  if (summary === null || summary === undefined) return null;
  const text =
    typeof summary === 'object' && !Array.isArray(summary)
      ? Object.entries(summary as Record<string, unknown>)
          .filter(([, v]) => v !== undefined)
          .map(
            ([k, v]) =>
              `${labelOf(KEY_LABELS, k, locale)}${locale === 'zh-CN' ? '：' : ': '}${valueText(k, v, locale)}`,
          )
          .join(locale === 'zh-CN' ? '；' : '; ')
      : valueText('', summary, locale);
  return (
    <Typography.Paragraph
      style={{ marginBottom: 0, maxWidth: 420, fontSize: 12 }}
      ellipsis={{ rows: 2, expandable: true }}
    >
      {text}
    </Typography.Paragraph>
  );
}
