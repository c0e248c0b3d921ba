import { createHash } from 'node:crypto';
import stringify from 'safe-stable-stringify';
import type { Tx } from './db.ts';
import { DomainError } from './errors.ts';

export interface StoredResponse {
  status: number;
  body: unknown;
}

export const IDEMPOTENCY_KEY_PATTERN = /^[\x21-\x7e]{1,128}$/;

export function requestHash(route: string, body: unknown): string {
  return createHash('sha256')
    .update(route)
    .update('\0')
    .update(stringify(body) ?? '')
    .digest('base64url');
}

/**
 * Runs `fn` once per (principal, key): a retry with the same key and body gets the first answer;
 * the same key with another body is refused. The record is written in `fn`'s transaction.
 */
export async function withIdempotencyKey(
  tx: Tx,
  at: Date,
  scope: { principal: string; key: string; route: string; hash: string },
  fn: () => Promise<StoredResponse>,
): Promise<StoredResponse & { replayed: boolean }> {
  const found = await tx.query<{ request_hash: string; route: string; status: number; response: unknown }>(
    `SELECT request_hash, route, status, response FROM idempotency_keys WHERE principal = $1 AND key = $2 FOR UPDATE`,
    [scope.principal, scope.key],
  );
  const prior = found[0];
  if (prior) {
    if (prior.request_hash !== scope.hash || prior.route !== scope.route) {
      throw new DomainError(
        'IDEMPOTENCY_KEY_REUSED',
        `Idempotency-Key "${scope.key}" was used with a different request; use a new key`,
      );
    }
    return { status: prior.status, body: prior.response, replayed: true };
  }
  const result = await fn();
  await tx.query(
    `INSERT INTO idempotency_keys (principal, key, route, request_hash, status, response, created_at) VALUES ($1,$2,$3,$4,$5,$6,$7)`,
    [scope.principal, scope.key, scope.route, scope.hash, result.status, JSON.stringify(result.body), at],
  );
  return { ...result, replayed: false };
}
