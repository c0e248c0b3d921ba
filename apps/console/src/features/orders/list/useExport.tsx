import { App, Button, Modal, Progress } from 'antd';
import { useState } from 'react';
import { apiFetch, type QueryValue } from '../../../shared/api.ts';
import { errorText } from '../../../shared/hooks.ts';
import { useT } from '../../../shared/i18n.tsx';
import { messages } from '../messages.ts';

interface ExportState {
  rows: number;
  bytes: number;
  done: boolean;
}

/** Streams the export of the whole filter with progress, then hands the file to the browser. */
export function useExport(apiQuery: Record<string, QueryValue>) {
  const { message } = App.useApp();
  const [state, setState] = useState<ExportState | null>(null);

  async function start(format: 'csv' | 'xlsx') {
    setState({ rows: 0, bytes: 0, done: false });
    try {
      const res = await apiFetch('/api/exports/orders', { query: { ...apiQuery, format } });
      const reader = res.body!.getReader();
      const chunks: Uint8Array[] = [];
      let rows = 0;
      let bytes = 0;
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        chunks.push(value);
        bytes += value.length;
        // CSV rows are counted as they arrive; XLSX is compressed, so its bytes show the progress.
        if (format === 'csv') for (const b of value) if (b === 10) rows++;
        setState({ rows: Math.max(0, rows - 1), bytes, done: false });
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
      setState({ rows: Math.max(0, rows - 1), bytes, done: true });
    } catch (e) {
      setState(null);
      message.error(errorText(e));
    }
  }
  return { state, start, close: () => setState(null) };
}

export function ExportModal({ state, onClose }: { state: ExportState | null; onClose: () => void }) {
  const t = useT(messages);
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
          {t(state.done ? 'exported' : 'exporting', {
            rows: state.rows || `${Math.ceil(state.bytes / 1024)} kB`,
          })}
        </div>
      ) : null}
    </Modal>
  );
}
