import { Worker } from 'node:worker_threads';
import type { ErrorCode } from '@orderhub/contracts';
import { DomainError } from './errors.ts';
import {
  DEFAULT_SHEET_LIMITS,
  overLimit as readerOverLimit,
  readSheetRows,
  SETTING,
  type SheetLimits,
  SheetReadError,
  type SheetRow,
} from './sheet-read.ts';

/**
 * The one reader for uploaded spreadsheets (CSV and XLSX): row by row, bounded, in time linear in
 * the file's size, giving the event loop a turn between chunks of rows. Every import uses it.
 * The reading itself is in sheet-read.ts; large uploads are read on the reader's own thread.
 */

export { DEFAULT_SHEET_LIMITS, readSheetRows, type SheetLimits, type SheetRow };

/** A refusal of the reader as the domain error the API answers with. */
const asDomainError = (e: unknown) =>
  e instanceof SheetReadError ? new DomainError(e.code, e.message, e.details) : e;

const overLimit = (...args: Parameters<typeof readerOverLimit>) =>
  asDomainError(readerOverLimit(...args)) as DomainError;

export function sheetLimitsFromEnv(env: Record<string, string | undefined>): SheetLimits {
  const out = { ...DEFAULT_SHEET_LIMITS };
  for (const key of Object.keys(SETTING) as (keyof SheetLimits)[]) {
    const raw = env[SETTING[key]];
    if (raw === undefined || raw === '') continue;
    const n = Number(raw);
    if (!Number.isSafeInteger(n) || n < 1)
      throw new Error(`${SETTING[key]} must be a whole number ≥ 1, got "${raw}"`);
    out[key] = n;
  }
  return out;
}

const BASE64 = /^[A-Za-z0-9+/\r\n]*={0,2}[\r\n]*$/;

/** Decodes an upload sent as base64, refusing what is not base64 and what is above the byte limit. */
export function decodeUpload(content: string, limits: SheetLimits): Buffer {
  if (content.length === 0)
    throw new DomainError('IMPORT_ENCODING_INVALID', 'the content is empty', { empty: true });
  // The usual upload (one line, canonical padding) is checked by encoding it back: a few ms for
  // the largest file, against 20–40 ms for the pattern and line count below, on the server's thread.
  if (content.length <= Math.ceil((limits.maxBytes + 2) / 3) * 4 && content.length % 4 === 0) {
    const bytes = Buffer.from(content, 'base64');
    if (bytes.length <= limits.maxBytes && bytes.toString('base64') === content) return bytes;
  }
  const bare = content.length - (content.match(/[\r\n]/g)?.length ?? 0);
  if (!BASE64.test(content) || bare % 4 === 1)
    throw new DomainError('IMPORT_ENCODING_INVALID', 'the content is not valid base64');
  if (Math.floor((bare * 3) / 4) > limits.maxBytes + 2)
    throw overLimit(
      'IMPORT_TOO_LARGE',
      'maxBytes',
      limits.maxBytes,
      `the file is over ${limits.maxBytes} bytes`,
    );
  const bytes = Buffer.from(content, 'base64');
  if (bytes.length > limits.maxBytes)
    throw overLimit(
      'IMPORT_TOO_LARGE',
      'maxBytes',
      limits.maxBytes,
      `the file is over ${limits.maxBytes} bytes`,
    );
  return bytes;
}

export interface ReadOptions {
  /** Called with the number of rows read so far, about every `progressEvery` rows. */
  onProgress?(rowsRead: number): void | Promise<void>;
  progressEvery?: number;
  /**
   * Unzip and parse on the reader's own thread (a worker) instead of the caller's: for large
   * uploads, so that the server's event loop only ever sees batches of finished rows.
   */
  offThread?: boolean;
}

/**
 * Reads the sheet's non-empty rows (the first worksheet of an XLSX), within the limits, a batch
 * of rows at a time (up to `BATCH_ROWS`, in sheet order): a consumer of 100,000 rows pays for a
 * hundred turns of the iterator, not a hundred thousand (per-row async iteration through the
 * layers cost about 4 µs a row on the server's thread, a third of a large import's time there).
 */
export async function* readSheetBatches(
  format: 'csv' | 'xlsx',
  bytes: Buffer,
  limits: SheetLimits,
  opts: ReadOptions = {},
): AsyncGenerator<SheetRow[]> {
  const source = opts.offThread
    ? readOffThread(format, bytes, limits)
    : batchesOf(readSheetRows(format, bytes, limits));
  let rows = 0;
  const every = opts.progressEvery ?? 5_000;
  try {
    for (;;) {
      let next: IteratorResult<SheetRow[]>;
      try {
        next = await source.next();
      } catch (e) {
        throw asDomainError(e);
      }
      if (next.done) break;
      const before = rows;
      rows += next.value.length;
      yield next.value;
      if (opts.onProgress && Math.floor(rows / every) > Math.floor(before / every))
        await opts.onProgress(rows);
    }
  } finally {
    // A consumer that stops early (a refused row, an error) ends the read, on either thread.
    await source.return(undefined);
  }
  if (opts.onProgress) await opts.onProgress(rows);
}

/** Rows read on the caller's thread, gathered into batches. */
async function* batchesOf(rows: AsyncGenerator<SheetRow>): AsyncGenerator<SheetRow[]> {
  let batch: SheetRow[] = [];
  try {
    for await (const row of rows) {
      batch.push(row);
      if (batch.length >= BATCH_ROWS) {
        yield batch;
        batch = [];
      }
    }
    if (batch.length) yield batch;
  } finally {
    await rows.return(undefined);
  }
}

// ---- The reader's thread ----------------------------------------------------------------------

/** Rows per batch (and per message from the reader's thread). */
const BATCH_ROWS = 1_000;
/** The reader's thread ends after this long without a read (it holds exceljs and its heap). */
const THREAD_IDLE_MS = 60_000;

type ThreadMessage =
  | { type: 'ready' }
  | { id: number; type: 'rows'; rows: string }
  | { id: number; type: 'done' }
  | { id: number; type: 'error'; error: { code?: ErrorCode; message: string; details?: unknown } };

let thread: Worker | null = null;
let idleTimer: NodeJS.Timeout | null = null;
let lastReadId = 0;
const listeners = new Map<number, (m: ThreadMessage) => void>();

function readerThread(): Worker {
  if (idleTimer) clearTimeout(idleTimer);
  idleTimer = null;
  if (thread) return thread;
  const started = new Worker(new URL('./sheet-worker.mjs', import.meta.url));
  const failAll = (message: string) => {
    if (thread === started) thread = null;
    for (const listen of [...listeners.values()]) listen({ id: 0, type: 'error', error: { message } });
  };
  started.on('message', (m: ThreadMessage) => {
    if ('id' in m) listeners.get(m.id)?.(m);
  });
  started.on('error', (err) => failAll(`the sheet reader's thread failed: ${err.stack ?? err.message}`));
  started.on('exit', (code) => failAll(`the sheet reader's thread ended (exit code ${code})`));
  thread = started;
  return started;
}

/**
 * Starts the reader's thread ahead of a read of `format` (loading it, and exceljs for an XLSX,
 * takes a second or more on a busy machine), so that it is ready when the read begins.
 */
export function warmSheetReader(format: 'csv' | 'xlsx'): void {
  readerThread().postMessage({ type: 'warm', format });
  releaseReaderThread();
}

function releaseReaderThread(): void {
  if (listeners.size || !thread || idleTimer) return;
  const idle = thread;
  // Waiting for the next read keeps no process alive.
  idle.unref();
  idleTimer = setTimeout(() => {
    idleTimer = null;
    if (thread === idle && listeners.size === 0) {
      thread = null;
      void idle.terminate();
    }
  }, THREAD_IDLE_MS);
  idleTimer.unref();
}

async function* readOffThread(
  format: 'csv' | 'xlsx',
  bytes: Buffer,
  limits: SheetLimits,
): AsyncGenerator<SheetRow[]> {
  const worker = readerThread();
  worker.ref();
  const id = ++lastReadId;
  const inbox: ThreadMessage[] = [];
  let wake: (() => void) | null = null;
  let finished = false;
  listeners.set(id, (m) => {
    inbox.push(m);
    const w = wake;
    wake = null;
    w?.();
  });
  try {
    worker.postMessage({ type: 'read', id, format, bytes, limits, batchRows: BATCH_ROWS });
    for (;;) {
      while (inbox.length === 0)
        await new Promise<void>((resolve) => {
          wake = resolve;
        });
      const m = inbox.shift()!;
      if (m.type === 'rows') {
        // Acknowledged on arrival: the next batches are read while this one is used.
        worker.postMessage({ type: 'ack', id });
        const flat = JSON.parse(m.rows) as [number, ...string[]][];
        const rows = new Array<SheetRow>(flat.length);
        for (let i = 0; i < flat.length; i++) {
          const r = flat[i]!;
          rows[i] = { row: r[0], cells: r.slice(1) as string[] };
        }
        yield rows;
      } else if (m.type === 'done') {
        finished = true;
        return;
      } else if (m.type === 'error') {
        finished = true;
        const { code, message, details } = m.error;
        throw code ? new DomainError(code, message, details) : new Error(message);
      }
    }
  } finally {
    listeners.delete(id);
    if (!finished) worker.postMessage({ type: 'cancel', id });
    releaseReaderThread();
  }
}
