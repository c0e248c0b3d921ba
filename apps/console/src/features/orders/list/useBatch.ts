import type { OrderView } from '@orderhub/contracts';
import { useState } from 'react';
import { api } from '../../../shared/api.ts';
import { useApiMutation } from '../../../shared/hooks.ts';
import { type BatchResult, runBatch } from '../batch.ts';
import type { BatchSkip } from '../stock.ts';

export type BatchAction = 'approve' | 'hold' | 'release' | 'tag' | 'cancel';

export interface BatchRun {
  action: BatchAction;
  done: number;
  total: number;
  /** Orders left alone before any call, with the reason in words. */
  skipped: BatchSkip[];
  result?: BatchResult;
}

const orderPath = (id: string) => `/api/orders/${encodeURIComponent(id)}`;

/** One call per selected order, with progress, a result summary, and refreshed lists afterwards. */
export function useBatch(onDone: () => void) {
  const [run, setRun] = useState<BatchRun | null>(null);
  const mutation = useApiMutation(
    async (action: BatchAction, orders: OrderView[], arg?: string | string[], skipped: BatchSkip[] = []) => {
      const items = orders.map((o) => ({
        id: o.id,
        label: o.orderNo || o.externalOrderId,
        version: o.version,
      }));
      setRun({ action, done: 0, total: items.length, skipped });
      const result = await runBatch(
        items,
        (o) =>
          action === 'tag'
            ? api(`${orderPath(o.id)}/tags`, {
                method: 'POST',
                body: { add: arg as string[], version: o.version },
              })
            : api(`${orderPath(o.id)}/transitions`, {
                method: 'POST',
                body: { event: action, version: o.version, ...(arg ? { reasonCode: arg as string } : {}) },
              }),
        { onProgress: (done, total) => setRun({ action, done, total, skipped }) },
      );
      setRun({ action, done: items.length, total: items.length, skipped, result });
      onDone();
      return result;
    },
    { invalidate: [['orders'], ['metrics']], toastError: true },
  );
  return {
    run,
    start: mutation.run,
    busy: mutation.busy,
    close: () => setRun(null),
  };
}
