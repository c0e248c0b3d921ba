import { createHash } from 'node:crypto';
import type { Database, SqlExecutor, Tx } from '../../platform/db.ts';
import { DomainError, isUniqueViolation } from '../../platform/errors.ts';
import { newId } from '../../platform/ids.ts';
import type { Jobs } from '../../platform/jobs.ts';
import type { SqlRow } from './settings.ts';
import { CHANNEL_INBOX_QUEUE } from './settings.ts';

export type InboxStatus = 'received' | 'processed' | 'failed' | 'rejected';

export interface InboxMessage {
  id: string;
  accountId: string;
  messageId: string;
  topic: string | null;
  headers: Record<string, string>;
  rawBody: Buffer;
  status: InboxStatus;
  error: string | null;
  attempts: number;
  orderIds: string[];
  receivedAt: Date;
  processedAt: Date | null;
}

function messageOf(r: SqlRow): InboxMessage {
  return {
    id: r.id,
    accountId: r.account_id,
    messageId: r.message_id,
    topic: r.topic,
    headers: r.headers,
    rawBody: Buffer.from(r.raw_body),
    status: r.status,
    error: r.error,
    attempts: Number(r.attempts),
    orderIds: r.order_ids ?? [],
    receivedAt: new Date(r.received_at),
    processedAt: r.processed_at ? new Date(r.processed_at) : null,
  };
}

/** Headers worth keeping with a message: everything but credentials a proxy might add. */
const KEEP = (name: string) => !['authorization', 'cookie', 'proxy-authorization'].includes(name);

/**
 * Stores a push before it is acknowledged. An accepted message gets its processing job in the
 * same transaction; a repeat of a stored message id changes nothing. A forged or unreadable one
 * is stored `rejected` with the reason (keyed by its body's hash) and never processed.
 *
 * One round trip on PostgreSQL: the row and its job go through `tx.deferred` and travel with
 * COMMIT (the body as hex text, so that it can be written in as a literal). A repeat is
 * told by the unique key refusing the row, which rolls the job back with it: the message, its job
 * and the acknowledgement stay one-to-one, and a repeat costs a round trip more, not a new message.
 * Returns whether the message was new.
 */
export async function storePush(
  database: Database,
  jobs: Jobs,
  at: Date,
  input: {
    accountId: string;
    headers: Record<string, string | undefined>;
    body: Buffer;
    verdict: { ok: true; messageId: string; topic: string } | { ok: false; reason: string; message: string };
  },
): Promise<{ duplicate: boolean }> {
  const headers = Object.fromEntries(
    Object.entries(input.headers).filter(([k, v]) => v !== undefined && KEEP(k)),
  ) as Record<string, string>;
  const v = input.verdict;
  const messageId = v.ok
    ? v.messageId
    : `rejected:${createHash('sha256').update(input.body).update(JSON.stringify(headers)).digest('hex')}`;
  const id = newId('inboxMessage');
  try {
    await database.tx(async (tx) => {
      await tx.deferred.query(
        `INSERT INTO channel_inbox (id, account_id, message_id, topic, headers, raw_body, status, error, received_at, updated_at)
         VALUES ($1,$2,$3,$4,$5::jsonb,decode($6, 'hex'),$7,$8,$9,$9)`,
        [
          id,
          input.accountId,
          messageId,
          v.ok ? v.topic : null,
          JSON.stringify(headers),
          input.body.toString('hex'),
          v.ok ? 'received' : 'rejected',
          v.ok ? null : `${v.reason}: ${v.message}`.slice(0, 2000),
          at,
        ],
      );
      if (v.ok) await jobs.send(tx.deferred, CHANNEL_INBOX_QUEUE, { id });
    });
  } catch (e) {
    if (isUniqueViolation(e, 'channel_inbox_message_uq')) return { duplicate: true };
    throw e;
  }
  return { duplicate: false };
}

/**
 * Stores an order the pull could not ingest (or could not even map: `version` null), so that it
 * stays visible with its raw payload and error and can be replayed. The same version (or, unmapped,
 * the same payload) seen again by an overlapping window counts one more attempt on the same message.
 */
export async function parkPulledOrder(
  exec: SqlExecutor,
  at: Date,
  input: {
    accountId: string;
    externalOrderId: string | null;
    version: Date | null;
    raw: unknown;
    error: string;
  },
): Promise<void> {
  const body = Buffer.from(JSON.stringify(input.raw ?? null));
  const key = input.version
    ? `pull:${input.externalOrderId}@${input.version.toISOString()}`
    : `pull:${input.externalOrderId ?? 'unreadable'}#${createHash('sha256').update(body).digest('hex').slice(0, 32)}`;
  await exec.query(
    `INSERT INTO channel_inbox (id, account_id, message_id, topic, headers, raw_body, status, error, attempts, order_ids, received_at, updated_at)
     VALUES ($1,$2,$3,'pull','{}'::jsonb,$4,'failed',$5,1,$6::jsonb,$7,$7)
     ON CONFLICT (account_id, message_id) DO UPDATE SET error = EXCLUDED.error, attempts = channel_inbox.attempts + 1,
       status = CASE WHEN channel_inbox.status = 'processed' THEN 'processed' ELSE 'failed' END, updated_at = EXCLUDED.updated_at`,
    [
      newId('inboxMessage'),
      input.accountId,
      key,
      body,
      input.error.slice(0, 2000),
      JSON.stringify(input.externalOrderId ? [input.externalOrderId] : []),
      at,
    ],
  );
}

export async function getInboxMessage(exec: SqlExecutor, id: string): Promise<InboxMessage> {
  const r = (await exec.query(`SELECT * FROM channel_inbox WHERE id = $1`, [id]))[0];
  if (!r) throw new DomainError('NOT_FOUND', `no inbox message ${id}`);
  return messageOf(r);
}

/** Marks the start of an attempt; null when the message is not (or no longer) to be processed. */
export async function beginAttempt(exec: SqlExecutor, id: string, at: Date): Promise<InboxMessage | null> {
  const r = (
    await exec.query(
      `UPDATE channel_inbox SET attempts = attempts + 1, updated_at = $2
       WHERE id = $1 AND status IN ('received', 'failed') RETURNING *`,
      [id, at],
    )
  )[0];
  return r ? messageOf(r) : null;
}

export async function finishAttempt(
  exec: SqlExecutor,
  id: string,
  at: Date,
  outcome: { ok: true; orderIds: string[] } | { ok: false; error: string },
): Promise<void> {
  if (outcome.ok)
    await exec.query(
      `UPDATE channel_inbox SET status = 'processed', error = NULL, order_ids = $2::jsonb, processed_at = $3, updated_at = $3
       WHERE id = $1`,
      [id, JSON.stringify(outcome.orderIds), at],
    );
  else
    await exec.query(
      `UPDATE channel_inbox SET status = 'failed', error = $2, updated_at = $3 WHERE id = $1`,
      [id, outcome.error.slice(0, 2000), at],
    );
}

/** Processes a message again after a fix. Rejected messages stay rejected: they were never verified. */
export async function replayInboxMessage(tx: Tx, jobs: Jobs, id: string, at: Date): Promise<InboxMessage> {
  const m = await getInboxMessage(tx, id);
  if (m.status === 'rejected')
    throw new DomainError(
      'INBOX_NOT_REPLAYABLE',
      'a rejected message failed verification and is never processed',
      {
        status: m.status,
      },
    );
  const r = (
    await tx.query(
      `UPDATE channel_inbox SET status = 'received', error = NULL, updated_at = $2 WHERE id = $1 RETURNING *`,
      [id, at],
    )
  )[0]!;
  await jobs.send(tx, CHANNEL_INBOX_QUEUE, { id });
  return messageOf(r);
}

export interface InboxView {
  id: string;
  accountId: string;
  messageId: string;
  topic: string | null;
  status: InboxStatus;
  error: string | null;
  attempts: number;
  orderIds: string[];
  receivedAt: string;
  processedAt: string | null;
  headers: Record<string, string>;
  /** The body as received: UTF-8 text, or base64 when it is not valid UTF-8. */
  rawBody: string;
  rawEncoding: 'utf8' | 'base64';
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

export function inboxView(m: InboxMessage): InboxView {
  let rawBody: string;
  let rawEncoding: 'utf8' | 'base64' = 'utf8';
  try {
    rawBody = utf8.decode(m.rawBody);
    if (rawBody.includes('\u0000')) throw new Error('NUL');
  } catch {
    rawBody = m.rawBody.toString('base64');
    rawEncoding = 'base64';
  }
  return {
    id: m.id,
    accountId: m.accountId,
    messageId: m.messageId,
    topic: m.topic,
    status: m.status,
    error: m.error,
    attempts: m.attempts,
    orderIds: m.orderIds,
    receivedAt: m.receivedAt.toISOString(),
    processedAt: m.processedAt?.toISOString() ?? null,
    headers: m.headers,
    rawBody,
    rawEncoding,
  };
}

export async function listInbox(
  exec: SqlExecutor,
  q: { accountId?: string; status?: InboxStatus; before?: { at: Date; id: string }; limit: number },
): Promise<InboxMessage[]> {
  const params: unknown[] = [];
  const where: string[] = [];
  if (q.accountId) where.push(`account_id = $${params.push(q.accountId)}`);
  if (q.status) where.push(`status = $${params.push(q.status)}`);
  if (q.before)
    where.push(`(received_at, id) < ($${params.push(q.before.at)}, $${params.push(q.before.id)})`);
  const rows = await exec.query(
    `SELECT * FROM channel_inbox ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
     ORDER BY received_at DESC, id DESC LIMIT ${q.limit}`,
    params,
  );
  return rows.map(messageOf);
}
