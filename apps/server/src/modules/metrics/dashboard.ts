import type { Actor } from '../../platform/actor.ts';
import type { SqlExecutor } from '../../platform/db.ts';
import type { Deps } from '../../platform/deps.ts';
import { channelSettingsOf, listAccounts, syncHealthSummary } from '../channels/index.ts';
import { ordersPlacedPerDay, salesPerDay } from '../orders/index.ts';
import type { HealthFigure } from './order-health.ts';

export { funnel, holdQueues, waitingStages } from '../orders/index.ts';

/** Orders placed per local calendar day (in `tz`) and channel. */
export async function ordersByChannel(
  exec: SqlExecutor,
  from: Date,
  to: Date,
  tz: string,
  reader: Pick<Actor, 'scope'> | null = null,
) {
  const [rows, accounts] = await Promise.all([
    ordersPlacedPerDay(exec, from, to, tz, reader),
    listAccounts(exec),
  ]);
  const channelOf = new Map(accounts.map((a) => [a.id, a.channel]));
  const sums = new Map<string, { day: string; channel: string; count: number }>();
  for (const r of rows) {
    const channel = channelOf.get(r.accountId) ?? 'unknown';
    const key = `${r.day}\u0000${channel}`;
    const bucket = sums.get(key) ?? { day: r.day, channel, count: 0 };
    bucket.count += r.count;
    sums.set(key, bucket);
  }
  return [...sums.values()].sort((a, b) =>
    a.day === b.day ? a.channel.localeCompare(b.channel) : a.day.localeCompare(b.day),
  );
}

/** Sales per local day, channel and currency (see salesPerDay for the definitions). */
export async function salesByChannel(
  exec: SqlExecutor,
  from: Date,
  to: Date,
  tz: string,
  reader: Pick<Actor, 'scope'> | null = null,
) {
  const [rows, accounts] = await Promise.all([salesPerDay(exec, from, to, tz, reader), listAccounts(exec)]);
  const channelOf = new Map(accounts.map((a) => [a.id, a.channel]));
  const sums = new Map<
    string,
    {
      day: string;
      channel: string;
      currency: string;
      orders: number;
      paidOrders: number;
      gmv: number;
      paid: number;
    }
  >();
  for (const r of rows) {
    const channel = channelOf.get(r.accountId) ?? 'unknown';
    const key = `${r.day}\u0000${channel}\u0000${r.currency}`;
    const b = sums.get(key) ?? {
      day: r.day,
      channel,
      currency: r.currency,
      orders: 0,
      paidOrders: 0,
      gmv: 0,
      paid: 0,
    };
    b.orders += r.orders;
    b.paidOrders += r.paidOrders;
    b.gmv += r.gmv;
    b.paid += r.paid;
    sums.set(key, b);
  }
  return [...sums.values()].sort((a, b) =>
    a.day === b.day ? a.channel.localeCompare(b.channel) : a.day.localeCompare(b.day),
  );
}

/**
 * Channel sync health, now: the share of the accounts the schedule pulls (active, connected) whose
 * sync health is green — last run succeeded and everything up to two intervals behind now is in —
 * with the same definition as `GET /api/channel-accounts/{id}/health`. Yellow (a failure or
 * behind), red (failing again and again) and expired authorisation all count against it.
 */
export async function channelSyncHealth(
  deps: Pick<Deps, 'database' | 'crypto' | 'clock' | 'settings'>,
  reader: Pick<Actor, 'scope'> | null = null,
): Promise<HealthFigure> {
  const s = await syncHealthSummary(
    deps.database,
    deps.crypto,
    deps.clock.now(),
    channelSettingsOf(deps),
    reader,
  );
  return {
    key: 'channelSyncHealth',
    value: s.connected === 0 ? null : s.green / s.connected,
    numerator: s.green,
    denominator: s.connected,
    target: { op: '>', value: 0.99 },
    reason: s.connected === 0 ? 'no active channel account has a connection to synchronise' : null,
  };
}
