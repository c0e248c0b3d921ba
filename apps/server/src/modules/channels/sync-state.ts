import type { Database, SqlExecutor } from '../../platform/db.ts';
import { raiseAlert, resolveAlerts } from './alerts.ts';
import type { PullWindow } from './connector.ts';
import type { ChannelSettings, SqlRow } from './settings.ts';

export interface SyncState {
  accountId: string;
  syncedTo: Date | null;
  window: PullWindow | null;
  page: string | null;
  nextRunAt: Date | null;
  lastAttemptAt: Date | null;
  lastSuccessAt: Date | null;
  lastError: string | null;
  consecutiveFailures: number;
  authExpired: boolean;
  ordersPulled: number;
}

const d = (v: unknown) => (v ? new Date(v as string) : null);

function stateOf(r: SqlRow): SyncState {
  const from = d(r.window_from);
  const to = d(r.window_to);
  return {
    accountId: r.account_id,
    syncedTo: d(r.synced_to),
    window: from && to ? { from, to } : null,
    page: r.page ?? null,
    nextRunAt: d(r.next_run_at),
    lastAttemptAt: d(r.last_attempt_at),
    lastSuccessAt: d(r.last_success_at),
    lastError: r.last_error ?? null,
    consecutiveFailures: Number(r.consecutive_failures ?? 0),
    authExpired: Boolean(r.auth_expired),
    ordersPulled: Number(r.orders_pulled ?? 0),
  };
}

export async function syncState(exec: SqlExecutor, accountId: string): Promise<SyncState | null> {
  const r = (await exec.query(`SELECT * FROM channel_sync_state WHERE account_id = $1`, [accountId]))[0];
  return r ? stateOf(r) : null;
}

/** Accounts whose next pull is due (never pulled, or their interval passed), expired ones left out. */
export async function dueAccountIds(exec: SqlExecutor, at: Date): Promise<{ id: string; channel: string }[]> {
  return exec.query<{ id: string; channel: string }>(
    `SELECT a.id, a.channel FROM channel_accounts a LEFT JOIN channel_sync_state s ON s.account_id = a.id
     WHERE a.active AND a.credentials_enc IS NOT NULL
       AND (s.account_id IS NULL OR (NOT s.auth_expired AND (s.next_run_at IS NULL OR s.next_run_at <= $1)))
     ORDER BY a.id`,
    [at],
  );
}

/**
 * Takes the account's run (one at a time per account; a run older than the lease is taken as
 * dead). Returns the state to resume from, or null when another run holds it.
 */
export async function claimRun(
  database: Database,
  accountId: string,
  at: Date,
  settings: ChannelSettings,
): Promise<SyncState | null> {
  return database.tx(async (tx) => {
    await tx.query(
      `INSERT INTO channel_sync_state (account_id, updated_at) VALUES ($1, $2) ON CONFLICT (account_id) DO NOTHING`,
      [accountId, at],
    );
    const r = (
      await tx.query(
        `UPDATE channel_sync_state SET running_since = $2, last_attempt_at = $2, updated_at = $2
         WHERE account_id = $1 AND (running_since IS NULL OR running_since < $3) RETURNING *`,
        [accountId, at, new Date(at.getTime() - settings.runLeaseSeconds * 1000)],
      )
    )[0];
    return r ? stateOf(r) : null;
  });
}

/**
 * The next window to pull: the one in progress (resumed at its page), or one starting an overlap
 * before where the last ended and ending a safety margin behind now, at most `maxWindowMs` long.
 * Null when the account is caught up.
 */
export function nextWindow(
  state: Pick<SyncState, 'syncedTo' | 'window' | 'page'>,
  at: Date,
  settings: ChannelSettings,
  maxWindowMs: number,
): { window: PullWindow; page: string | null } | null {
  if (state.window) return { window: state.window, page: state.page };
  const end = at.getTime() - settings.safetyMarginSeconds * 1000;
  const start = state.syncedTo
    ? state.syncedTo.getTime() - settings.overlapSeconds * 1000
    : end - settings.initialLookbackSeconds * 1000;
  // Caught up: the next run's window would only repeat the overlap.
  if (state.syncedTo && state.syncedTo.getTime() >= end) return null;
  const to = Math.min(end, start + maxWindowMs);
  if (to <= start) return null;
  return { window: { from: new Date(start), to: new Date(to) }, page: null };
}

/**
 * After a page's orders are stored: where the next page starts, or (after the window's last
 * page) that everything before the window's end is in. Never moves `synced_to` backwards.
 */
export async function savePage(
  exec: SqlExecutor,
  accountId: string,
  at: Date,
  window: PullWindow,
  next: string | null,
  orders: number,
): Promise<void> {
  if (next)
    await exec.query(
      `UPDATE channel_sync_state SET window_from = $2, window_to = $3, page = $4,
         orders_pulled = orders_pulled + $5, updated_at = $6 WHERE account_id = $1`,
      [accountId, window.from, window.to, next, orders, at],
    );
  else
    await exec.query(
      `UPDATE channel_sync_state SET window_from = NULL, window_to = NULL, page = NULL,
         synced_to = GREATEST(COALESCE(synced_to, $2), $2), orders_pulled = orders_pulled + $3, updated_at = $4
       WHERE account_id = $1`,
      [accountId, window.to, orders, at],
    );
}

export async function recordRunSuccess(
  exec: SqlExecutor,
  accountId: string,
  at: Date,
  intervalSeconds: number,
): Promise<void> {
  await exec.query(
    `UPDATE channel_sync_state SET running_since = NULL, last_success_at = $2, last_error = NULL,
       consecutive_failures = 0, auth_expired = false, next_run_at = $3, updated_at = $2 WHERE account_id = $1`,
    [accountId, at, new Date(at.getTime() + intervalSeconds * 1000)],
  );
  await resolveAlerts(exec, at, ['sync_failing', 'auth_expired'], accountId);
}

/**
 * A failed run: counted; the failure that reaches `failuresForRed` raises an alert. Expired
 * authorisation stops the account's pulls until its credentials are renewed.
 */
export async function recordRunFailure(
  exec: SqlExecutor,
  account: { id: string; code: string; channel: string },
  at: Date,
  failure: { code: string; message: string; authExpired: boolean },
  intervalSeconds: number,
  settings: ChannelSettings,
): Promise<SyncState> {
  const r = (
    await exec.query(
      `UPDATE channel_sync_state SET running_since = NULL, last_error = $2,
         consecutive_failures = consecutive_failures + 1, auth_expired = auth_expired OR $3,
         next_run_at = $4, updated_at = $5 WHERE account_id = $1 RETURNING *`,
      [
        account.id,
        `${failure.code}: ${failure.message}`.slice(0, 2000),
        failure.authExpired,
        new Date(at.getTime() + intervalSeconds * 1000),
        at,
      ],
    )
  )[0]!;
  const state = stateOf(r);
  if (failure.authExpired)
    await raiseAlert(exec, at, {
      kind: 'auth_expired',
      accountId: account.id,
      details: { account: account.code, channel: account.channel, error: state.lastError },
    });
  else if (state.consecutiveFailures >= settings.failuresForRed)
    await raiseAlert(exec, at, {
      kind: 'sync_failing',
      accountId: account.id,
      details: {
        account: account.code,
        channel: account.channel,
        consecutiveFailures: state.consecutiveFailures,
        error: state.lastError,
      },
    });
  return state;
}

/** New credentials: an expired or failing account is tried again at once. */
export async function resetAfterNewCredentials(
  exec: SqlExecutor,
  accountId: string,
  at: Date,
): Promise<void> {
  await exec.query(
    `UPDATE channel_sync_state SET auth_expired = false, consecutive_failures = 0, next_run_at = NULL, updated_at = $2
     WHERE account_id = $1`,
    [accountId, at],
  );
  await resolveAlerts(exec, at, ['auth_expired', 'sync_failing'], accountId);
}

export type HealthStatus = 'green' | 'yellow' | 'red' | 'expired';

export interface AccountHealth {
  accountId: string;
  status: HealthStatus;
  lastSuccessAt: string | null;
  lastAttemptAt: string | null;
  /** Seconds between now and the instant everything before which is in (null: never synced). */
  lagSeconds: number | null;
  consecutiveFailures: number;
  lastError: string | null;
  syncedTo: string | null;
  nextRunAt: string | null;
  ordersPulled: number;
  authExpiresAt: string | null;
}

/**
 * green: the last run succeeded and the lag is within two intervals (plus the safety margin);
 * yellow: a failure or two, or behind; red: `failuresForRed` failures in a row; expired:
 * authorisation ended (pulls stopped).
 */
export function healthOf(
  accountId: string,
  state: SyncState | null,
  at: Date,
  intervalSeconds: number,
  settings: ChannelSettings,
  auth: { expiresAt: Date | null; expired: boolean },
): AccountHealth {
  const lag = state?.syncedTo
    ? Math.max(0, Math.round((at.getTime() - state.syncedTo.getTime()) / 1000))
    : null;
  const failures = state?.consecutiveFailures ?? 0;
  let status: HealthStatus = 'green';
  if (state?.authExpired || auth.expired) status = 'expired';
  else if (failures >= settings.failuresForRed) status = 'red';
  else if (
    failures > 0 ||
    lag === null ||
    lag > 2 * intervalSeconds + settings.safetyMarginSeconds + settings.overlapSeconds
  )
    status = 'yellow';
  const iso = (v: Date | null | undefined) => (v ? v.toISOString() : null);
  return {
    accountId,
    status,
    lastSuccessAt: iso(state?.lastSuccessAt),
    lastAttemptAt: iso(state?.lastAttemptAt),
    lagSeconds: lag,
    consecutiveFailures: failures,
    lastError: state?.lastError ?? null,
    syncedTo: iso(state?.syncedTo),
    nextRunAt: iso(state?.nextRunAt),
    ordersPulled: state?.ordersPulled ?? 0,
    authExpiresAt: iso(auth.expiresAt),
  };
}
