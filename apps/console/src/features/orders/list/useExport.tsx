import { EXPORT_FIELDS, type ExportFieldSpec, exportFieldsFor } from '@orderhub/contracts';
import { App, Button, Checkbox, Modal, Progress, Radio, Space, Typography } from 'antd';
import { useState } from 'react';
import { apiFetch, type QueryValue } from '../../../shared/api.ts';
import { errorText } from '../../../shared/hooks.ts';
import { useLocale, useT } from '../../../shared/i18n.tsx';
import { messages } from '../messages.ts';

type Format = 'csv' | 'xlsx';
type Level = 'order' | 'line';

export interface ExportChoice {
  format: Format;
  level: Level;
  fields: string[];
}

interface ExportState {
  format: Format;
  rows: number;
  bytes: number;
  done: boolean;
}

const CHOICE_KEY = 'orderhub.export';

function defaultFields(level: Level): string[] {
  return exportFieldsFor(level)
    .filter((f) => f.default)
    .map((f) => f.key);
}

function loadChoice(): ExportChoice {
  try {
    const saved = JSON.parse(localStorage.getItem(CHOICE_KEY) ?? 'null') as ExportChoice | null;
    if (saved && (saved.level === 'order' || saved.level === 'line')) {
      const known = new Set(exportFieldsFor(saved.level).map((f) => f.key));
      const fields = saved.fields.filter((k) => known.has(k));
      return {
        format: saved.format === 'csv' ? 'csv' : 'xlsx',
        level: saved.level,
        fields: fields.length ? fields : defaultFields(saved.level),
      };
    }
  } catch {
    // a damaged saved choice falls back to the defaults
  }
  return { format: 'xlsx', level: 'order', fields: defaultFields('order') };
}

/** Size in kB or MB, for the progress of a compressed file. */
function size(bytes: number, locale: string): string {
  const fmt = (n: number) => n.toLocaleString(locale, { maximumFractionDigits: 1 });
  return bytes >= 1024 * 1024 ? `${fmt(bytes / 1024 / 1024)} MB` : `${fmt(Math.max(1, bytes / 1024))} kB`;
}

/**
 * Counts CSV records as bytes arrive: a newline ends a record only outside quotes (a remark may
 * hold line breaks). Returns the new quote state.
 */
function countRecords(chunk: Uint8Array, inQuotes: boolean): { records: number; inQuotes: boolean } {
  let records = 0;
  for (const b of chunk) {
    if (b === 34) inQuotes = !inQuotes;
    else if (b === 10 && !inQuotes) records++;
  }
  return { records, inQuotes };
}

/** Streams the export of the whole filter with progress, then hands the file to the browser. */
export function useExport(apiQuery: Record<string, QueryValue>) {
  const { message } = App.useApp();
  const { locale } = useLocale();
  const [state, setState] = useState<ExportState | null>(null);
  const [choosing, setChoosing] = useState(false);

  async function start(choice: ExportChoice) {
    localStorage.setItem(CHOICE_KEY, JSON.stringify(choice));
    setChoosing(false);
    const { format, level, fields } = choice;
    setState({ format, rows: 0, bytes: 0, done: false });
    try {
      const res = await apiFetch('/api/exports/orders', {
        query: { ...apiQuery, format, level, fields: fields.join(','), lang: locale },
      });
      const reader = res.body!.getReader();
      const chunks: Uint8Array[] = [];
      let records = 0;
      let inQuotes = false;
      let bytes = 0;
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        chunks.push(value);
        bytes += value.length;
        // CSV rows are counted as they arrive; XLSX is compressed, so its size shows the progress.
        if (format === 'csv') {
          const c = countRecords(value, inQuotes);
          records += c.records;
          inQuotes = c.inQuotes;
        }
        setState({ format, rows: Math.max(0, records - 1), bytes, done: false });
      }
      const name =
        /filename="([^"]+)"/.exec(res.headers.get('content-disposition') ?? '')?.[1] ?? `orders.${format}`;
      const url = URL.createObjectURL(
        new Blob(chunks as BlobPart[], { type: res.headers.get('content-type') ?? '' }),
      );
      const a = document.createElement('a');
      a.href = url;
      a.download = name;
      a.click();
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
      setState({ format, rows: Math.max(0, records - 1), bytes, done: true });
    } catch (e) {
      setState(null);
      message.error(errorText(e));
    }
  }
  return {
    state,
    start,
    choosing,
    choose: () => setChoosing(true),
    cancelChoice: () => setChoosing(false),
    close: () => setState(null),
  };
}

/** Format, level and fields of an export; the last choice is remembered in this browser. */
export function ExportDialog({
  open,
  onCancel,
  onStart,
}: {
  open: boolean;
  onCancel: () => void;
  onStart: (choice: ExportChoice) => void;
}) {
  const t = useT(messages);
  const { locale } = useLocale();
  const [choice, setChoice] = useState<ExportChoice>(loadChoice);
  const label = (f: ExportFieldSpec) => (locale === 'zh-CN' ? f.zh : f.en);
  const available = exportFieldsFor(choice.level);
  const groups: { title: string; fields: ExportFieldSpec[] }[] = [
    { title: t('exportOrderFields'), fields: available.filter((f) => f.level === 'order') },
    ...(choice.level === 'line'
      ? [{ title: t('exportLineFields'), fields: available.filter((f) => f.level === 'line') }]
      : []),
  ];
  const setLevel = (level: Level) => {
    const known = new Set(exportFieldsFor(level).map((f) => f.key));
    const kept = choice.fields.filter((k) => known.has(k));
    const added = level === 'line' ? defaultFields('line').filter((k) => !kept.includes(k)) : [];
    setChoice({
      ...choice,
      level,
      fields: [...kept, ...added.filter((k) => EXPORT_FIELDS.some((f) => f.key === k && f.level === 'line'))],
    });
  };
  return (
    <Modal
      open={open}
      title={t('export')}
      width={640}
      onCancel={onCancel}
      okText={t('exportStart')}
      okButtonProps={{ disabled: !choice.fields.length }}
      onOk={() => onStart(choice)}
      destroyOnHidden
    >
      <Space direction="vertical" size="middle" style={{ width: '100%' }} data-testid="export-dialog">
        <Space wrap>
          <Typography.Text>{t('exportFormat')}</Typography.Text>
          <Radio.Group
            value={choice.format}
            onChange={(e) => setChoice((c) => ({ ...c, format: e.target.value as Format }))}
            options={[
              { value: 'xlsx', label: 'Excel (XLSX)' },
              { value: 'csv', label: 'CSV' },
            ]}
          />
        </Space>
        <Space wrap>
          <Typography.Text>{t('exportLevel')}</Typography.Text>
          <Radio.Group
            value={choice.level}
            onChange={(e) => setLevel(e.target.value as Level)}
            options={[
              { value: 'order', label: t('exportLevelOrder') },
              { value: 'line', label: t('exportLevelLine') },
            ]}
          />
        </Space>
        {groups.map((g) => (
          <div key={g.title}>
            <Typography.Text strong>{g.title}</Typography.Text>
            <div
              style={{
                display: 'grid',
                gridTemplateColumns: 'repeat(4, minmax(0, 1fr))',
                gap: 4,
                marginTop: 4,
              }}
            >
              {g.fields.map((f) => (
                <Checkbox
                  key={f.key}
                  checked={choice.fields.includes(f.key)}
                  // Each tick toggles its own field from the latest state: quick clicks never undo each other.
                  onChange={(e) =>
                    setChoice((c) => ({
                      ...c,
                      fields: e.target.checked
                        ? c.fields.includes(f.key)
                          ? c.fields
                          : [...c.fields, f.key]
                        : c.fields.filter((k) => k !== f.key),
                    }))
                  }
                >
                  {label(f)}
                </Checkbox>
              ))}
            </div>
          </div>
        ))}
        <Space>
          <Typography.Link onClick={() => setChoice((c) => ({ ...c, fields: defaultFields(c.level) }))}>
            {t('exportDefaults')}
          </Typography.Link>
          {!choice.fields.length ? (
            <Typography.Text type="danger">{t('exportNoFields')}</Typography.Text>
          ) : null}
        </Space>
      </Space>
    </Modal>
  );
}

export function ExportModal({ state, onClose }: { state: ExportState | null; onClose: () => void }) {
  const t = useT(messages);
  const { locale } = useLocale();
  let text = '';
  if (state) {
    const rows = state.rows.toLocaleString(locale);
    const sz = size(state.bytes, locale);
    if (state.format === 'csv') text = t(state.done ? 'exported' : 'exporting', { rows });
    else text = t(state.done ? 'exportedFile' : 'exportingFile', { size: sz });
  }
  return (
    <Modal
      open={state !== null}
      title={t('export')}
      footer={state?.done ? <Button onClick={onClose}>{t('close')}</Button> : null}
      closable={Boolean(state?.done)}
      onCancel={() => state?.done && onClose()}
    >
      {state ? (
        <div data-testid="export-progress">
          <Progress
            percent={state.done ? 100 : 50}
            status={state.done ? 'success' : 'active'}
            showInfo={false}
          />
          {text}
        </div>
      ) : null}
    </Modal>
  );
}
