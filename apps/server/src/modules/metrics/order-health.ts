import type { Actor } from '../../platform/actor.ts';
import type { SqlExecutor } from '../../platform/db.ts';
import { listAccounts } from '../channels/index.ts';
import { holdClosure, ordersPerAccount, statusChangeCounts } from '../orders/index.ts';
import { minimalPathLengths } from './minimal-path.ts';

/** One health figure. `value` is null when the data behind it does not exist yet, and `reason` says why. */
export interface HealthFigure {
  key: string;
  value: number | null;
  numerator: number | null;
  denominator: number | null;
  /** The healthy side of the figure, as merchants track it. */
  target: { op: '<' | '>'; value: number };
  reason: string | null;
}

export interface HealthRange {
  from: Date;
  to: Date;
  /** Whose figures: a reader with a data scope gets his shops' figures only. */
  reader?: Pick<Actor, 'scope'> | null;
}

const ratio = (n: number, d: number) => (d === 0 ? null : n / d);

/**
 * State drift: (status changes − minimal path changes) / orders, over orders placed in the range.
 * A status change is a timeline entry whose status differs from the one before it; the minimal path
 * is the fewest changes from the order's first status to its current one.
 */
export async function stateDrift(exec: SqlExecutor, r: HealthRange): Promise<HealthFigure> {
  const { orders, changes, minimal } = await statusChangeCounts(
    exec,
    r.from,
    r.to,
    minimalPathLengths(),
    r.reader ?? null,
  );
  const extra = Math.max(0, changes - minimal);
  return {
    key: 'stateDriftRate',
    value: ratio(extra, orders),
    numerator: extra,
    denominator: orders,
    target: { op: '<', value: 0.012 },
    reason: orders === 0 ? 'no orders placed in the range' : null,
  };
}

/**
 * Exception closure within 72 h: holds entered in the range that were left (released, approved or
 * cancelled) within 72 hours. Holds still open and younger than 72 h are not yet decided and are
 * left out of both sides.
 */
export async function exceptionClosure(exec: SqlExecutor, r: HealthRange, now: Date): Promise<HealthFigure> {
  const { closed, decided } = await holdClosure(exec, r.from, r.to, now, r.reader ?? null);
  return {
    key: 'exceptionClosureRate72h',
    value: ratio(closed, decided),
    numerator: closed,
    denominator: decided,
    target: { op: '>', value: 0.85 },
    reason: decided === 0 ? 'no exception in the range has been closed or is older than 72 h' : null,
  };
}

/** Channels where the merchant sells directly: whatever brings their orders in names the source right. */
export const OWN_STOREFRONT_CHANNELS: readonly string[] = ['api', 'wechat_mini', 'pos'];

/**
 * Channel attribution accuracy: orders whose source channel is certain, among orders placed in the
 * range. An order of the merchant's own storefront (website, mini-program, shop till) is certain
 * however it came in; a marketplace order is certain when that marketplace's connector brought it,
 * not when someone keyed or posted it into the shop by hand (the "copied from the back-end" orders).
 */
export async function channelAttribution(exec: SqlExecutor, r: HealthRange): Promise<HealthFigure> {
  const [perAccount, accounts] = await Promise.all([
    ordersPerAccount(exec, r.from, r.to, r.reader ?? null),
    listAccounts(exec),
  ]);
  const own = new Set(accounts.filter((a) => OWN_STOREFRONT_CHANNELS.includes(a.channel)).map((a) => a.id));
  const orders = perAccount.reduce((s, a) => s + a.count, 0);
  const attributed = perAccount.reduce((s, a) => s + (own.has(a.accountId) ? a.count : a.viaChannel), 0);
  return {
    key: 'channelAttributionCompleteness',
    value: ratio(attributed, orders),
    numerator: attributed,
    denominator: orders,
    target: { op: '>', value: 0.995 },
    reason: orders === 0 ? 'no orders placed in the range' : null,
  };
}

/** Figures whose data orderhub does not record yet: reported as missing, never estimated. */
export function notYetRecorded(): HealthFigure[] {
  return [
    {
      key: 'fundVoucherMatchRate',
      value: null,
      numerator: null,
      denominator: null,
      target: { op: '>', value: 0.9998 },
      reason: 'payment vouchers and bank statement lines are not recorded yet',
    },
  ];
}
