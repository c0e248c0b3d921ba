import type { SqlExecutor } from '../../platform/db.ts';
import { listAccounts } from '../channels/index.ts';
import { ordersPlacedPerDay, salesPerDay } from '../orders/index.ts';

export { funnel, holdQueues, waitingStages } from '../orders/index.ts';

/** Orders placed per local calendar day (in `tz`) and channel. */
export async function ordersByChannel(exec: SqlExecutor, from: Date, to: Date, tz: string) {
  const [rows, accounts] = await Promise.all([ordersPlacedPerDay(exec, from, to, tz), listAccounts(exec)]);
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
export async function salesByChannel(exec: SqlExecutor, from: Date, to: Date, tz: string) {
  const [rows, accounts] = await Promise.all([salesPerDay(exec, from, to, tz), listAccounts(exec)]);
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
