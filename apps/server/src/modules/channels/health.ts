import type { Actor } from '../../platform/actor.ts';
import type { FieldCrypto } from '../../platform/crypto.ts';
import type { SqlExecutor } from '../../platform/db.ts';
import { type AccountConnection, accountConnection } from './accounts.ts';
import { connectorContext } from './context.ts';
import { accountVisible } from './scope.ts';
import type { ChannelSettings } from './settings.ts';
import { type AccountHealth, healthOf, syncState } from './sync-state.ts';

/** One account's sync health (what `GET /api/channel-accounts/{id}/health` answers). */
export async function accountHealth(
  exec: SqlExecutor,
  account: AccountConnection,
  at: Date,
  settings: ChannelSettings,
): Promise<AccountHealth> {
  const c = connectorContext(account, at);
  const auth =
    c && account.credentials ? c.connector.authorisation(c.ctx) : { expiresAt: null, expired: false };
  return healthOf(
    account.id,
    await syncState(exec, account.id),
    at,
    account.syncIntervalSeconds,
    settings,
    auth,
  );
}

export interface SyncHealthSummary {
  /** Active accounts with a connection: the ones the schedule pulls. */
  connected: number;
  green: number;
  yellow: number;
  red: number;
  expired: number;
}

/**
 * The health of every account the schedule pulls (active, with a connection), counted by status
 * with the same definition as the per-account health. Inactive accounts and accounts without
 * credentials are not synchronised and are left out.
 */
export async function syncHealthSummary(
  exec: SqlExecutor,
  crypto: FieldCrypto,
  at: Date,
  settings: ChannelSettings,
  reader: Pick<Actor, 'scope'> | null = null,
): Promise<SyncHealthSummary> {
  const ids = await exec.query<{ id: string }>(
    `SELECT id FROM channel_accounts WHERE active AND credentials_enc IS NOT NULL ORDER BY id`,
  );
  const out: SyncHealthSummary = { connected: 0, green: 0, yellow: 0, red: 0, expired: 0 };
  // A reader limited to some shops gets the figure over his shops only (data scopes).
  for (const { id } of ids) {
    if (!accountVisible(reader, id)) continue;
    const account = await accountConnection(exec, crypto, { id });
    if (!account || !connectorContext(account, at)) continue;
    const h = await accountHealth(exec, account, at, settings);
    out.connected++;
    out[h.status]++;
  }
  return out;
}
