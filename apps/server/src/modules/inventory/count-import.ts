import { performance } from 'node:perf_hooks';
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import type { CountPreviewBody, CountView } from '@orderhub/contracts';
import { type Actor, systemActor } from '../../platform/actor.ts';
import type { Database, SqlExecutor } from '../../platform/db.ts';
import { DomainError } from '../../platform/errors.ts';
import { newId } from '../../platform/ids.ts';
import type { Logger } from '../../platform/log.ts';
import { decodeUpload, warmSheetReader } from '../../platform/sheet.ts';
import { recordAudit } from '../audit/index.ts';
import {
  clearCountRows,
  countSheetBatches,
  getCount,
  previewRows,
  readCountSheet,
  storeCountRows,
} from './counts.ts';
import { COUNT_IMPORT_QUEUE, type StockDeps } from './settings.ts';

export interface CountImportEnv {
  database: Database;
  deps: StockDeps;
  now: () => Date;
}

/**
 * Bytes per stored part of an upload. On PGlite no single statement may carry much of the file
 * (its statements run on the server's thread): a 256 KiB part, bytes in the binary format and
 * stored uncompressed, takes 2–8 ms there. PostgreSQL works on its own cores, and there the round
 * trips are what counts.
 */
const uploadPart = (database: Database) => (database.kind === 'pglite' ? 256 * 1024 : 1024 * 1024);

/**
 * Uploads accepted by this process and not yet taken by its import job, so that a job run here
 * reads the bytes from memory instead of reading back what it stored a moment ago. The stored
 * parts stay the record (a job run after a restart, or by another process, reads them); an
 * entry not taken within the time below is dropped, and at most `HANDED_MAX_BYTES` are held.
 */
const handed = new Map<string, { bytes: Buffer; timer: NodeJS.Timeout }>();
const HANDED_MAX_BYTES = 64 * 1024 * 1024;
const HANDED_MS = 10 * 60_000;
let handedBytes = 0;

function takeHanded(countId: string): Buffer | null {
  const entry = handed.get(countId);
  if (!entry) return null;
  handed.delete(countId);
  clearTimeout(entry.timer);
  handedBytes -= entry.bytes.length;
  return entry.bytes;
}

let handOverOn = true;

/**
 * Whether accepted uploads are handed to this process's job in memory (on unless turned off):
 * off, every job reads the stored parts, as a job run after a restart or by another process
 * does — the tests run that path this way.
 */
export function handOverCountUploads(on: boolean): void {
  handOverOn = on;
}

function handOver(countId: string, bytes: Buffer): void {
  if (!handOverOn) return;
  // The oldest go first when the bound is reached (their jobs read the stored parts).
  for (const oldest of handed.keys()) {
    if (handedBytes + bytes.length <= HANDED_MAX_BYTES) break;
    takeHanded(oldest);
  }
  if (handedBytes + bytes.length > HANDED_MAX_BYTES) return;
  const timer = setTimeout(() => takeHanded(countId), HANDED_MS);
  timer.unref();
  handed.set(countId, { bytes, timer });
  handedBytes += bytes.length;
}

/** Least time between two progress writes of a running import. */
const PROGRESS_MS = 500;

export interface CountImportMessage {
  countId: string;
}

/**
 * `POST /api/inventory/counts:preview`: a small sheet is previewed here and now (201, as always);
 * a large one (bytes or rows above the settings) is stored and read by a job (202, status
 * `processing`), so no request holds a core for long. Limits are checked before anything is stored.
 */
export async function requestCountPreview(
  env: CountImportEnv,
  actor: Actor,
  input: CountPreviewBody,
): Promise<{ status: 201 | 202; view: CountView }> {
  const { database, deps } = env;
  const settings = deps.inventory.countImport;
  const bytes = decodeUpload(input.content, settings);
  if (bytes.length <= settings.asyncAboveBytes) {
    const rows = await readCountSheet(input.format, bytes, settings, {
      warehouse: input.warehouse,
      stopAbove: settings.asyncAboveRows,
    });
    if (rows) {
      const view = await database.tx((tx) =>
        previewRows({ tx, deps, at: env.now(), actor }, rows, { format: input.format, note: input.note }),
      );
      return { status: 201, view };
    }
  }
  // The job reads it on the reader's thread: started now, it loads while the upload is stored.
  warmSheetReader(input.format);
  const id = newId('count');
  // Before the commit: on PGlite the job may be fetched the moment the transaction ends.
  handOver(id, bytes);
  const part = uploadPart(database);
  const view = await database
    .tx(async (tx) => {
      const at = env.now();
      await tx.query(
        `INSERT INTO stock_counts (id, status, rows, note, created_at, created_by, format, default_warehouse)
       VALUES ($1, 'processing', '[]'::jsonb, $2, $3, $4, $5, $6)`,
        [id, input.note ?? null, at, actor.name, input.format, input.warehouse ?? null],
      );
      // The bytes as they are (PGlite and node-postgres send a Buffer in the binary format; PGlite's
      // own bytea serializer, hex one byte at a time in JavaScript, is replaced in platform/db.ts).
      // PGlite answers within the same turn of the event loop (its promises settle as microtasks), so
      // a run of awaited statements never lets a timer or a socket in: the loop gets a turn per part.
      for (let k = 0; k * part < bytes.length; k++) {
        await tx.query(`INSERT INTO stock_count_uploads (count_id, part, content) VALUES ($1, $2, $3)`, [
          id,
          k,
          bytes.subarray(k * part, (k + 1) * part),
        ]);
        await yieldToLoop();
      }
      await recordAudit(tx, at, actor, {
        action: 'inventory.count_upload',
        entityType: 'stock_count',
        entityId: id,
        summary: { bytes: bytes.length, format: input.format },
      });
      await deps.jobs.send(tx, COUNT_IMPORT_QUEUE, { countId: id } satisfies CountImportMessage);
      return (await getCount(tx, id))!;
    })
    .catch((e: unknown) => {
      takeHanded(id);
      throw e;
    });
  // Someone waits for the preview: this process's reader starts now rather than at its next poll.
  deps.jobs.wake(COUNT_IMPORT_QUEUE);
  return { status: 202, view };
}

/**
 * The job: reads the stored sheet, saving how many rows it has read as it goes, then stores the
 * preview (status `previewed`) or why it could not (status `failed`, with the code). Idempotent:
 * a count no longer `processing` is left alone.
 */
export async function runCountImport(
  env: CountImportEnv,
  log: Logger,
  msg: CountImportMessage,
): Promise<void> {
  try {
    await readCount(env, log, msg);
  } finally {
    settled(msg.countId);
  }
}

/** Requests waiting for a count this process is reading (`GET …/counts/{id}?wait=`). */
const waiting = new Map<string, Set<() => void>>();

function settled(id: string): void {
  const set = waiting.get(id);
  if (!set) return;
  waiting.delete(id);
  for (const wake of [...set]) wake();
}

/** Resolves when this process's reader is done with the count, or after `ms`, whichever is first. */
function countSettles(id: string, ms: number): Promise<void> {
  return new Promise((resolve) => {
    let set = waiting.get(id);
    if (!set) {
      set = new Set();
      waiting.set(id, set);
    }
    const own = set;
    const wake = () => {
      clearTimeout(timer);
      own.delete(wake);
      if (own.size === 0 && waiting.get(id) === own) waiting.delete(id);
      resolve();
    };
    const timer = setTimeout(wake, ms);
    own.add(wake);
  });
}

/**
 * A count as `GET /api/inventory/counts/{id}` answers it. With `wait` (seconds), a count still
 * `processing` is answered when it is read — at once when this process reads it, else within a
 * quarter of a second (another process's reader) — or when the wait is over, still `processing`:
 * a client learns of the preview when it is there instead of at its next poll.
 */
export async function getCountWaiting(
  exec: SqlExecutor,
  id: string,
  query: { rowsOffset?: number | undefined; rowsLimit?: number | undefined; wait?: number | undefined },
): Promise<CountView | null> {
  const { wait, ...page } = query;
  let view = await getCount(exec, id, page);
  const until = performance.now() + (wait ?? 0) * 1000;
  while (view?.status === 'processing' && performance.now() < until) {
    await countSettles(id, Math.min(250, until - performance.now()));
    view = await getCount(exec, id, page);
  }
  return view;
}

async function readCount(env: CountImportEnv, log: Logger, msg: CountImportMessage): Promise<void> {
  const { database, deps } = env;
  const found = (
    await database.query<{
      status: string;
      format: 'csv' | 'xlsx';
      default_warehouse: string | null;
      created_by: string | null;
      parts: number;
    }>(
      `SELECT status, format, default_warehouse, created_by,
         (SELECT count(*)::int FROM stock_count_uploads WHERE count_id = c.id) AS parts
       FROM stock_counts c WHERE id = $1`,
      [msg.countId],
    )
  )[0];
  const inMemory = takeHanded(msg.countId);
  if (found?.status !== 'processing') return;
  const settings = deps.inventory.countImport;
  const actor = systemActor(found.created_by ?? 'count-import', 'job');
  try {
    if (!found.parts) throw new DomainError('IMPORT_FORMAT_INVALID', 'the uploaded sheet is gone');
    const parts: Buffer[] = inMemory ? [inMemory] : [];
    for (let part = 0; !inMemory && part < found.parts; part++) {
      // Bytes as they are (on PGlite a bytea result is decoded natively, see platform/db.ts).
      const got = await database.query<{ content: Uint8Array }>(
        `SELECT content FROM stock_count_uploads WHERE count_id = $1 AND part = $2`,
        [msg.countId, part],
      );
      if (!got[0]) throw new DomainError('IMPORT_FORMAT_INVALID', 'a part of the uploaded sheet is gone');
      const { content } = got[0];
      parts.push(Buffer.from(content.buffer, content.byteOffset, content.byteLength));
      await yieldToLoop();
    }
    const bytes = Buffer.concat(parts);
    let progressAt = performance.now();
    // Rows left by an attempt that stopped half-way (the job is retried).
    await clearCountRows(database, msg.countId);
    // Checked and stored chunk by chunk as they are read, each chunk one short statement of its
    // own (no transaction around the whole sheet: on PGlite that would hold the one connection,
    // and every other request with it, for seconds). The rows stay invisible until `previewed`.
    const rowsStored = await storeCountRows(
      database,
      msg.countId,
      countSheetBatches(found.format, bytes, settings, {
        warehouse: found.default_warehouse ?? undefined,
        // Unzipped and parsed on the reader's own thread: this one only checks and stores rows.
        offThread: true,
        progressEvery: 5_000,
        onProgress: async (n) => {
          // At most twice a second (a client polls about once a second); the final count is
          // written with the status.
          const now = performance.now();
          if (now - progressAt < PROGRESS_MS) return;
          progressAt = now;
          // Not waited for (a round trip the reading need not stand still for); a later figure
          // never gives way to an earlier one that lands after it, nor outlives the status.
          database
            .query(
              `UPDATE stock_counts SET rows_read = $2 WHERE id = $1 AND status = 'processing' AND rows_read < $2`,
              [msg.countId, n],
            )
            .catch((err: unknown) =>
              log.warn({ err, countId: msg.countId }, 'count import progress not saved'),
            );
        },
      }),
      // PGlite runs each statement on this thread: chunks small enough to keep each one short
      // (with a sorted sheet's stretch read by its bounds, a 2,000-row chunk's on-hand read takes
      // 3–4 ms and its insert 3–4 ms on an idle machine; the worst /healthz of a 100,000-row read
      // stayed under 50 ms). On PostgreSQL each statement is a round trip, which a loaded machine
      // stretches to 50–100 ms: fewer, larger, but not so large that checking and packing one
      // chunk holds this thread for long (5,000 rows did, by tens of ms, stretched past 200 ms
      // under load), and a chunk's store overlaps the next chunk's checks.
      database.kind === 'pglite'
        ? { chunkRows: 2_000, lookupCodes: 1_000 }
        : { chunkRows: 2_000, lookupCodes: 1_000, pipeline: true },
    );
    await yieldToLoop();
    await database.tx(async (tx) => {
      const at = env.now();
      await tx.query(
        `UPDATE stock_counts SET status = 'previewed', rows_read = $2, error = NULL WHERE id = $1 AND status = 'processing'`,
        [msg.countId, rowsStored],
      );
      await tx.query(`DELETE FROM stock_count_uploads WHERE count_id = $1`, [msg.countId]);
      await recordAudit(tx, at, actor, {
        action: 'inventory.count_preview',
        entityType: 'stock_count',
        entityId: msg.countId,
        summary: { rows: rowsStored, format: found.format },
      });
    });
  } catch (e) {
    const known = e instanceof DomainError;
    if (!known) log.error({ err: e, countId: msg.countId }, 'count import failed');
    const error = known
      ? { code: e.code, message: e.message, ...(e.details !== undefined ? { details: e.details } : {}) }
      : { code: 'INTERNAL', message: 'the sheet could not be read' };
    const marked = await database.tx(async (tx) => {
      const hit = await tx.query(
        `UPDATE stock_counts SET status = 'failed', error = $2 WHERE id = $1 AND status = 'processing' RETURNING id`,
        [msg.countId, JSON.stringify(error)],
      );
      await tx.query(`DELETE FROM stock_count_uploads WHERE count_id = $1`, [msg.countId]);
      return hit.length > 0;
    });
    // What was stored before the refusal (rows of a failed count are never shown).
    if (marked) await clearCountRows(database, msg.countId);
  }
}
