/** Runs one call per order, a few at a time, and reports which succeeded and which failed and why. */

export interface BatchFailure {
  id: string;
  label: string;
  code: string;
  message: string;
  /** The problem's details (e.g. the lines that lack stock), when the server sent them. */
  details?: unknown;
}

export interface BatchResult {
  succeeded: string[];
  failed: BatchFailure[];
}

export async function runBatch<T extends { id: string; label: string }>(
  items: readonly T[],
  call: (item: T) => Promise<unknown>,
  opts: { concurrency?: number; onProgress?: (done: number, total: number) => void } = {},
): Promise<BatchResult> {
  const result: BatchResult = { succeeded: [], failed: [] };
  let next = 0;
  let done = 0;
  const worker = async () => {
    while (next < items.length) {
      const item = items[next++]!;
      try {
        await call(item);
        result.succeeded.push(item.id);
      } catch (e) {
        const err = e as { code?: string; detail?: string; message?: string; details?: unknown };
        result.failed.push({
          id: item.id,
          label: item.label,
          code: err.code ?? 'CLIENT_ERROR',
          message: err.detail ?? err.message ?? String(e),
          ...(err.details !== undefined ? { details: err.details } : {}),
        });
      }
      done++;
      opts.onProgress?.(done, items.length);
    }
  };
  await Promise.all(Array.from({ length: Math.min(opts.concurrency ?? 4, items.length) }, worker));
  // Keep the order the user selected them in.
  const pos = new Map(items.map((it, i) => [it.id, i]));
  result.succeeded.sort((a, b) => pos.get(a)! - pos.get(b)!);
  result.failed.sort((a, b) => pos.get(a.id)! - pos.get(b.id)!);
  return result;
}
