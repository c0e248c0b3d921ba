import type { IngestOrderBody } from '@orderhub/contracts';
import {
  type AccountConnection,
  accountConnection,
  accountsWithDueStock,
  beginAttempt,
  CHANNEL_STOCK_DELIVER_QUEUE,
  CHANNEL_SYNC_QUEUE,
  type ChannelOrder,
  type Connector,
  type ConnectorContext,
  ConnectorError,
  cachedAccountConnection,
  channelSettingsOf,
  claimRun,
  connectorContext,
  dueAccountIds,
  finishAttempt,
  finishBackfill,
  getBackfill,
  getInboxMessage,
  nextWindow,
  type PullWindow,
  parkPulledOrder,
  recordRunFailure,
  recordRunSuccess,
  recordShapes,
  resolveMasterSkus,
  saveBackfillPage,
  savePage,
} from '../modules/channels/index.ts';
import { type Actor, systemActor } from '../platform/actor.ts';
import type { Tx } from '../platform/db.ts';
import type { Deps } from '../platform/deps.ts';
import { DomainError, isUniqueViolation } from '../platform/errors.ts';
import { applyChannelRefunds } from './channel-refunds.ts';
import { type IngestResult, ingestOrder, prepareIngest } from './ingest-order.ts';

/** What one order from a channel came to: ingested (with the flow's outcome), or failed with a reason. */
export type ChannelIngest = { ok: true; result: IngestResult } | { ok: false; code: string; message: string };

/**
 * One platform order through the ingest flow: channel SKUs resolved to master SKUs, the platform's
 * modification time as the version (older never overwrites newer), the raw payload kept; refunds
 * the platform reports are applied in the same transaction.
 */
export async function ingestChannelOrder(
  deps: Deps,
  account: Pick<AccountConnection, 'id' | 'code' | 'channel'>,
  co: ChannelOrder,
  actor: Actor,
  /** More work to commit with the order (an inbox message marked processed). */
  alongside?: (tx: Tx, result: IngestResult) => Promise<void>,
): Promise<ChannelIngest> {
  try {
    const lines = await resolveMasterSkus(deps.database, co.order.lines);
    const body: IngestOrderBody = {
      ...co.order,
      lines,
      channelAccount: account.code,
      externalOrderId: co.externalOrderId,
      sourceVersion: co.modifiedAt.toISOString(),
    };
    const canonical = prepareIngest(deps, body, co.raw);
    for (let attempt = 0; ; attempt++) {
      try {
        const result = await deps.database.tx(async (tx) => {
          const at = deps.clock.now();
          const res = await ingestOrder(tx, deps, at, actor, account.code, canonical);
          if (res.outcome === 'created' || res.outcome === 'updated')
            res.order = await applyChannelRefunds(
              tx,
              deps,
              at,
              account,
              res.order,
              co,
              res.outcome === 'created',
            );
          if (alongside) await alongside(tx, res);
          return res;
        });
        return { ok: true, result };
      } catch (e) {
        // Two first deliveries of one order (a pull and a push) race: the loser finds the winner's row.
        if (attempt < 2 && isUniqueViolation(e)) continue;
        throw e;
      }
    }
  } catch (e) {
    if (e instanceof DomainError) return { ok: false, code: e.code, message: e.message };
    throw e;
  }
}

/** Orders of one page stored side by side on PostgreSQL (PGlite, one connection, takes them one by one). */
const PAGE_LANES = 6;

/** Pulls one window page by page from `page`, storing each page before its position is saved. */
async function pullWindow(
  deps: Deps,
  account: AccountConnection,
  c: { connector: Connector; ctx: ConnectorContext },
  window: PullWindow,
  page: string | null,
  save: (next: string | null, orders: number) => Promise<void>,
): Promise<number> {
  const actor = systemActor(`channel:${account.code}`, 'channel');
  let total = 0;
  let position = page;
  for (;;) {
    const got = await c.connector.pullOrders({ ...c.ctx, now: deps.clock.now() }, window, position);
    await recordShapes(deps.database, c.connector.platform, got.shapes, deps.clock.now());
    // An order whose data is bad is set aside on its own (raw, error, replayable); the page goes on.
    for (const bad of got.rejected ?? [])
      await parkPulledOrder(deps.database, deps.clock.now(), {
        accountId: account.id,
        externalOrderId: bad.externalOrderId,
        version: null,
        raw: bad.raw,
        error: `${bad.code}: ${bad.message}`,
      });
    // A page's orders are distinct orders: stored a few at a time (each in its own transaction),
    // all of them before the page's position is saved.
    let next = 0;
    await Promise.all(
      Array.from(
        { length: Math.min(deps.database.kind === 'pglite' ? 1 : PAGE_LANES, got.orders.length) },
        async () => {
          while (next < got.orders.length) {
            const co = got.orders[next++]!;
            const r = await ingestChannelOrder(deps, account, co, actor);
            if (!r.ok)
              // Not lost: the order stays in the inbox with its error, replayable after a fix.
              await parkPulledOrder(deps.database, deps.clock.now(), {
                accountId: account.id,
                externalOrderId: co.externalOrderId,
                version: co.modifiedAt,
                raw: co.raw,
                error: `${r.code}: ${r.message}`,
              });
          }
        },
      ),
    );
    total += got.orders.length;
    await save(got.next, got.orders.length);
    if (!got.next) return total;
    position = got.next;
  }
}

export interface SyncRun {
  status: 'synced' | 'busy' | 'failed' | 'expired' | 'not-connected';
  orders: number;
  windows: number;
  error?: string;
}

/** A run stops after this long (or this many windows); the rest is picked up by the next run, started at once. */
const RUN_BUDGET_MS = 4 * 60_000;
const WINDOWS_PER_RUN = 2_000;

/**
 * One pull of an account: windows from where it stands to a safety margin behind now, each paged
 * through and stored before the cursor moves. Any failure ends the run and is counted (three in a
 * row: red and an alert); expired authorisation stops the account's pulls.
 */
export async function runAccountSync(deps: Deps, accountId: string): Promise<SyncRun> {
  const settings = channelSettingsOf(deps);
  const account = await accountConnection(deps.database, deps.crypto, { id: accountId });
  const start = deps.clock.now();
  const c = account?.active && account.credentials ? connectorContext(account, start) : null;
  if (!account || !c) return { status: 'not-connected', orders: 0, windows: 0 };
  let state = await claimRun(deps.database, account.id, start, settings);
  if (!state) return { status: 'busy', orders: 0, windows: 0 };
  let orders = 0;
  let windows = 0;
  try {
    if (state.authExpired) throw new ConnectorError('AUTH_EXPIRED', 'authorisation expired', false, true);
    const auth = c.connector.authorisation(c.ctx);
    if (auth.expired)
      throw new ConnectorError(
        'AUTH_EXPIRED',
        `authorisation expired at ${auth.expiresAt?.toISOString()}`,
        false,
        true,
      );
    const started = Date.now();
    let more = false;
    for (; ; windows++) {
      if (windows >= WINDOWS_PER_RUN || Date.now() - started > RUN_BUDGET_MS) {
        more = true;
        break;
      }
      // Windows end behind the run's start: a run catches up to a fixed point, never chases the clock.
      const next = nextWindow(state, start, settings, c.connector.maxWindowMs);
      if (!next) break;
      orders += await pullWindow(deps, account, c, next.window, next.page, (page, n) =>
        savePage(deps.database, account.id, deps.clock.now(), next.window, page, n),
      );
      state = { ...state, window: null, page: null, syncedTo: next.window.to };
    }
    await recordRunSuccess(deps.database, account.id, deps.clock.now(), account.syncIntervalSeconds);
    if (more)
      await deps.jobs.send(
        deps.database,
        CHANNEL_SYNC_QUEUE,
        { accountId },
        { singletonKey: `sync:${accountId}` },
      );
    return { status: 'synced', orders, windows };
  } catch (e) {
    const err =
      e instanceof ConnectorError
        ? e
        : new ConnectorError('INTERNAL', (e as Error)?.message ?? String(e), true);
    if (!(e instanceof ConnectorError))
      deps.log.error({ err: e, account: account.code }, 'channel sync failed');
    await recordRunFailure(
      deps.database,
      account,
      deps.clock.now(),
      { code: err.code, message: err.message, authExpired: err.authExpired },
      account.syncIntervalSeconds,
      settings,
    );
    return {
      status: err.authExpired ? 'expired' : 'failed',
      orders,
      windows,
      error: `${err.code}: ${err.message}`,
    };
  }
}

/** A backfill: the same paging over its range, its position saved after every stored page. */
export async function runBackfill(deps: Deps, id: string): Promise<void> {
  const b = await getBackfill(deps.database, id);
  if (!b || b.status === 'done' || b.status === 'failed') return;
  const at = deps.clock.now();
  const account = await accountConnection(deps.database, deps.crypto, { id: b.accountId });
  const c = account?.credentials ? connectorContext(account, at) : null;
  if (!account || !c) {
    await finishBackfill(deps.database, id, at, { ok: false, error: 'the account has no connection' });
    return;
  }
  let from = b.doneTo;
  let page = b.page;
  try {
    while (from.getTime() < b.to.getTime()) {
      const window = {
        from,
        to: new Date(Math.min(b.to.getTime(), from.getTime() + c.connector.maxWindowMs)),
      };
      await pullWindow(deps, account, c, window, page, (next, n) =>
        saveBackfillPage(deps.database, id, deps.clock.now(), window.to, next, n),
      );
      from = window.to;
      page = null;
    }
    await finishBackfill(deps.database, id, deps.clock.now(), { ok: true });
  } catch (e) {
    const retryable = e instanceof ConnectorError ? e.retryable && !e.authExpired : false;
    const message =
      e instanceof ConnectorError ? `${e.code}: ${e.message}` : String((e as Error).message ?? e);
    // A passing fault is retried by the queue from the saved position; anything else ends it visibly.
    if (retryable) throw e;
    await finishBackfill(deps.database, id, deps.clock.now(), { ok: false, error: message });
  }
}

/**
 * A stored push: the orders it carries whole are ingested as they are; otherwise each order it
 * names is fetched from the platform (a push is a hint, the platform is the truth).
 */
export async function processInboxMessage(
  deps: Deps,
  id: string,
): Promise<'processed' | 'failed' | 'skipped'> {
  const at = deps.clock.now();
  const m = await beginAttempt(deps.database, id, at);
  if (!m) return 'skipped';
  const account = await cachedAccountConnection(deps.database, deps.crypto, { id: m.accountId });
  const c = account ? connectorContext(account, m.receivedAt) : null;
  const fail = async (error: string) => {
    await finishAttempt(deps.database, id, deps.clock.now(), { ok: false, error });
    return 'failed' as const;
  };
  if (!account || !c) return fail('the account has no connector');
  if (m.topic === 'pull') {
    // An order the pull could not store: fetch it again.
    if (m.orderIds.length === 0) return fail('the stored order carries no order id to fetch again');
    return ingestFetched(deps, account, c, m.orderIds, id, fail);
  }
  // Verified when it arrived; verifying again (at its arrival time) yields what it carries.
  const v = c.connector.verifyPush({ headers: m.headers, query: {}, body: m.rawBody }, c.ctx);
  if (!v.ok) return fail(`${v.reason}: ${v.message}`);
  const actor = systemActor(`channel:${account.code}`, 'channel');
  if (v.orders.length === 1) {
    // The usual push, one whole order: stored and marked processed in one transaction, the mark
    // sent with its COMMIT (no round trip of its own).
    const co = v.orders[0]!;
    const r = await ingestChannelOrder(deps, account, co, actor, (tx, res) =>
      finishAttempt(tx.deferred, id, deps.clock.now(), { ok: true, orderIds: [res.order.id] }),
    );
    if (!r.ok) return fail(`${co.externalOrderId}: ${r.code}: ${r.message}`);
    return 'processed';
  }
  if (v.orders.length) {
    const ids: string[] = [];
    for (const co of v.orders) {
      const r = await ingestChannelOrder(deps, account, co, actor);
      if (!r.ok) return fail(`${co.externalOrderId}: ${r.code}: ${r.message}`);
      ids.push(r.result.order.id);
    }
    await finishAttempt(deps.database, id, deps.clock.now(), { ok: true, orderIds: ids });
    return 'processed';
  }
  return ingestFetched(deps, account, c, v.orderIds, id, fail);
}

async function ingestFetched(
  deps: Deps,
  account: AccountConnection,
  c: { connector: Connector; ctx: ConnectorContext },
  externalIds: readonly string[],
  id: string,
  fail: (error: string) => Promise<'failed'>,
): Promise<'processed' | 'failed'> {
  const actor = systemActor(`channel:${account.code}`, 'channel');
  const ids: string[] = [];
  for (const ext of externalIds) {
    let co: ChannelOrder | null;
    try {
      co = await c.connector.fetchOrder({ ...c.ctx, now: deps.clock.now() }, ext);
    } catch (e) {
      if (e instanceof ConnectorError && e.retryable) {
        await fail(`${e.code}: ${e.message}`);
        throw e; // the queue retries with backoff
      }
      return fail(e instanceof ConnectorError ? `${e.code}: ${e.message}` : String(e));
    }
    if (!co) return fail(`${ext}: the platform does not know this order`);
    const r = await ingestChannelOrder(deps, account, co, actor);
    if (!r.ok) return fail(`${ext}: ${r.code}: ${r.message}`);
    ids.push(r.result.order.id);
  }
  await finishAttempt(deps.database, id, deps.clock.now(), { ok: true, orderIds: ids });
  return 'processed';
}

/** The minute tick: a sync job for every account whose interval passed, a delivery for stock due. */
export async function channelTick(deps: Deps): Promise<{ sync: number; stock: number }> {
  const at = deps.clock.now();
  const due = await dueAccountIds(deps.database, at);
  let sync = 0;
  for (const a of due) {
    await deps.jobs.send(
      deps.database,
      CHANNEL_SYNC_QUEUE,
      { accountId: a.id },
      {
        singletonKey: `sync:${a.id}`,
        singletonSeconds: 60,
      },
    );
    sync++;
  }
  const stock = await accountsWithDueStock(deps.database, at);
  for (const accountId of stock)
    await deps.jobs.send(
      deps.database,
      CHANNEL_STOCK_DELIVER_QUEUE,
      { accountId },
      {
        singletonKey: `stock:${accountId}`,
        singletonSeconds: 30,
      },
    );
  return { sync, stock: stock.length };
}

export { getInboxMessage };
