import type { Deps } from '../../platform/deps.ts';

declare module '../../platform/deps.ts' {
  interface ModuleSettings {
    channels: ChannelSettings;
  }
}

/** Knobs of the channel sync, inbox and stock push; per-account interval and connector settings live on the account. */
export interface ChannelSettings {
  /** A pull window ends this far behind now: platforms index changes with a lag. */
  safetyMarginSeconds: number;
  /** Each window starts this far before where the last one ended (a change indexed late is still caught). */
  overlapSeconds: number;
  /** How far back the first pull of a new account reaches. */
  initialLookbackSeconds: number;
  /** Consecutive failed runs that turn an account red and raise an alert. */
  failuresForRed: number;
  /** A run that has not finished after this is taken as dead and may be run again. */
  runLeaseSeconds: number;
  /** Refund-only requests without a decision after this go to the exception queue. */
  refundDecisionSeconds: number;
  /** Stock push attempts before an (account, SKU) is parked. */
  stockPushAttempts: number;
  /** First retry delay of a stock push; doubles per attempt. */
  stockPushBackoffSeconds: number;
}

export const DEFAULT_CHANNEL_SETTINGS: ChannelSettings = {
  safetyMarginSeconds: 180,
  overlapSeconds: 300,
  initialLookbackSeconds: 3 * 24 * 3600,
  failuresForRed: 3,
  runLeaseSeconds: 600,
  refundDecisionSeconds: 24 * 3600,
  stockPushAttempts: 5,
  stockPushBackoffSeconds: 30,
};

export function channelSettingsFromEnv(env: Record<string, string | undefined>): ChannelSettings {
  const int = (name: string, fallback: number, min: number, max: number) => {
    const raw = env[name];
    if (raw === undefined || raw === '') return fallback;
    const n = Number(raw);
    if (!Number.isInteger(n) || n < min || n > max)
      throw new Error(`${name} must be a whole number from ${min} to ${max}, got "${raw}"`);
    return n;
  };
  return {
    ...DEFAULT_CHANNEL_SETTINGS,
    safetyMarginSeconds: int('ORDERHUB_CHANNEL_SAFETY_MARGIN_SECONDS', 180, 0, 3600),
    overlapSeconds: int('ORDERHUB_CHANNEL_OVERLAP_SECONDS', 300, 0, 24 * 3600),
    refundDecisionSeconds: int('ORDERHUB_REFUND_DECISION_HOURS', 24, 1, 24 * 30) * 3600,
  };
}

export const channelSettingsOf = (deps: Pick<Deps, 'settings'>): ChannelSettings =>
  deps.settings.channels ?? DEFAULT_CHANNEL_SETTINGS;

export const CHANNEL_SYNC_TICK_QUEUE = 'channel-sync-tick';
export const CHANNEL_SYNC_QUEUE = 'channel-sync';
export const CHANNEL_BACKFILL_QUEUE = 'channel-backfill';
export const CHANNEL_INBOX_QUEUE = 'channel-inbox';
export const CHANNEL_STOCK_DELIVER_QUEUE = 'channel-stock-deliver';
export const CHANNEL_REFUND_SWEEP_QUEUE = 'channel-refund-sweep';

export const CHANNEL_QUEUES = [
  { name: CHANNEL_SYNC_TICK_QUEUE, retryLimit: 1 },
  // A run records its own failure (health, alert); the queue's retry only covers a crash.
  { name: CHANNEL_SYNC_QUEUE, retryLimit: 1, expireInSeconds: 15 * 60 },
  {
    name: CHANNEL_BACKFILL_QUEUE,
    retryLimit: 5,
    retryBackoff: true,
    retryDelaySeconds: 10,
    expireInSeconds: 60 * 60,
  },
  { name: CHANNEL_INBOX_QUEUE, retryLimit: 5, retryBackoff: true, retryDelaySeconds: 5 },
  { name: CHANNEL_STOCK_DELIVER_QUEUE, retryLimit: 2 },
  { name: CHANNEL_REFUND_SWEEP_QUEUE, retryLimit: 1 },
];

/** A row of hand-written SQL, read field by field where it is turned into a view. */
// biome-ignore lint/suspicious/noExplicitAny: rows of hand-written SQL, read field by field
export type SqlRow = Record<string, any>;
