import type { SqlExecutor } from '../../platform/db.ts';
import { listAccounts } from '../channels/index.ts';
import { ordersPlacedPerDay } from '../orders/index.ts';

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
