import type { SqlExecutor } from '../../platform/db.ts';
import { newId } from '../../platform/ids.ts';
import type { SqlRow } from './settings.ts';

export type ChannelAlertKind =
  | 'sync_failing'
  | 'auth_expired'
  | 'drift_new_field'
  | 'drift_vanished_field'
  | 'drift_retyped_field'
  | 'stock_push_parked'
  | 'refund_undecided';

export interface RaiseAlert {
  kind: ChannelAlertKind;
  accountId?: string | null;
  platform?: string | null;
  api?: string | null;
  field?: string | null;
  details?: Record<string, unknown>;
  example?: unknown;
}

/**
 * Raises an alert, or counts one more occurrence of the same open alert (same kind, account,
 * platform, API and field): a failing account is one alert, not one per run. Returns true when new.
 */
export async function raiseAlert(exec: SqlExecutor, at: Date, a: RaiseAlert): Promise<boolean> {
  const key = [a.accountId ?? null, a.platform ?? null, a.api ?? null, a.field ?? null];
  const updated = await exec.query(
    // A drift alert keeps what was first seen; an account's alert shows its latest error.
    `UPDATE channel_alerts SET occurrences = occurrences + 1, last_seen_at = $6,
       details = CASE WHEN kind LIKE 'drift_%' THEN details ELSE $7::jsonb END
     WHERE resolved_at IS NULL AND kind = $1 AND account_id IS NOT DISTINCT FROM $2
       AND platform IS NOT DISTINCT FROM $3 AND api IS NOT DISTINCT FROM $4 AND field IS NOT DISTINCT FROM $5
     RETURNING id`,
    [a.kind, ...key, at, JSON.stringify(a.details ?? {})],
  );
  if (updated.length) return false;
  await exec.query(
    `INSERT INTO channel_alerts (id, kind, account_id, platform, api, field, details, example, first_seen_at, last_seen_at)
     VALUES ($1,$2,$3,$4,$5,$6,$7::jsonb,$8::jsonb,$9,$9)`,
    [
      newId('channelAlert'),
      a.kind,
      ...key,
      JSON.stringify(a.details ?? {}),
      a.example === undefined ? null : JSON.stringify(a.example),
      at,
    ],
  );
  return true;
}

export async function resolveAlerts(
  exec: SqlExecutor,
  at: Date,
  kinds: readonly ChannelAlertKind[],
  accountId: string,
): Promise<void> {
  await exec.query(
    `UPDATE channel_alerts SET resolved_at = $3 WHERE resolved_at IS NULL AND kind = ANY($1::text[]) AND account_id = $2`,
    [[...kinds], accountId, at],
  );
}

export interface ChannelAlertView {
  id: string;
  kind: string;
  accountId: string | null;
  platform: string | null;
  api: string | null;
  field: string | null;
  details: unknown;
  example: unknown;
  firstSeenAt: string;
  lastSeenAt: string;
  occurrences: number;
  resolvedAt: string | null;
}

export async function listAlerts(
  exec: SqlExecutor,
  q: { kinds?: readonly string[]; accountId?: string; open?: boolean; limit?: number },
): Promise<ChannelAlertView[]> {
  const params: unknown[] = [];
  const where: string[] = [];
  if (q.kinds) where.push(`kind = ANY($${params.push([...q.kinds])}::text[])`);
  if (q.accountId) where.push(`account_id = $${params.push(q.accountId)}`);
  if (q.open) where.push('resolved_at IS NULL');
  const rows = await exec.query<SqlRow>(
    `SELECT * FROM channel_alerts ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
     ORDER BY first_seen_at DESC, id DESC LIMIT ${Math.min(q.limit ?? 200, 1000)}`,
    params,
  );
  const iso = (v: unknown) => (v ? new Date(v as string).toISOString() : null);
  return rows.map((r) => ({
    id: r.id,
    kind: r.kind,
    accountId: r.account_id,
    platform: r.platform,
    api: r.api,
    field: r.field,
    details: r.details,
    example: r.example,
    firstSeenAt: iso(r.first_seen_at)!,
    lastSeenAt: iso(r.last_seen_at)!,
    occurrences: Number(r.occurrences),
    resolvedAt: iso(r.resolved_at),
  }));
}
