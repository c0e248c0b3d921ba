import type { Deps } from '../../platform/deps.ts';

declare module '../../platform/deps.ts' {
  interface ModuleSettings {
    payments: PaymentSettings;
  }
}

/** Knobs of the payments module; read once at wiring time (see `paymentSettingsFromEnv`). */
export interface PaymentSettings {
  /** The server's address as providers reach it: notify URLs are `{publicUrl}/api/payments/notify/{code}`. */
  publicUrl: string;
  /** An attempt without a confirmed voucher is queried after this (default 5 min). */
  activeQueryAfterSeconds: number;
  /** The same attempt is not queried again sooner than this. */
  queryIntervalSeconds: number;
  /** Attempts are queried until this long after they expired (a late payment is still money). */
  queryGraceSeconds: number;
  /** An attempt's pay link / QR code expires after this. */
  attemptTtlSeconds: number;
  /** Stripe's replay window: the only time check a callback meets (default 300 s). */
  stripeReplayWindowSeconds: number;
  /** Skew between the provider's clock and ours above this is warned on the timeline and logged. */
  skewAlertSeconds: number;
  /** Nightly inspection: local time `HH:MM` in `inspectionZone` (default 02:00 in TZ_DEFAULT). */
  inspectionAt: string;
  /** Null: the server's TZ_DEFAULT. */
  inspectionZone: string | null;
  /** An order this long in a non-final state with no timer expected is listed (default 30 min). */
  stuckAfterSeconds: number;
}

export const DEFAULT_PAYMENT_SETTINGS: PaymentSettings = {
  publicUrl: 'http://127.0.0.1:3000',
  activeQueryAfterSeconds: 300,
  queryIntervalSeconds: 60,
  queryGraceSeconds: 24 * 3600,
  attemptTtlSeconds: 30 * 60,
  stripeReplayWindowSeconds: 300,
  skewAlertSeconds: 120,
  inspectionAt: '02:00',
  inspectionZone: null,
  stuckAfterSeconds: 30 * 60,
};

export function paymentSettingsFromEnv(env: Record<string, string | undefined>): PaymentSettings {
  const int = (name: string, fallback: number, min: number, max: number) => {
    const raw = env[name];
    if (raw === undefined || raw === '') return fallback;
    const n = Number(raw);
    if (!Number.isInteger(n) || n < min || n > max)
      throw new Error(`${name} must be a whole number from ${min} to ${max}, got "${raw}"`);
    return n;
  };
  const at = env['ORDERHUB_INSPECTION_AT'] || DEFAULT_PAYMENT_SETTINGS.inspectionAt;
  if (!/^([01]\d|2[0-3]):[0-5]\d$/.test(at))
    throw new Error(`ORDERHUB_INSPECTION_AT must be a local time HH:MM, got "${at}"`);
  const publicUrl = (env['ORDERHUB_PUBLIC_URL'] || DEFAULT_PAYMENT_SETTINGS.publicUrl).replace(/\/+$/, '');
  if (!/^https?:\/\/[^/]+/.test(publicUrl))
    throw new Error(`ORDERHUB_PUBLIC_URL must be an http(s) URL, got "${publicUrl}"`);
  return {
    ...DEFAULT_PAYMENT_SETTINGS,
    publicUrl,
    activeQueryAfterSeconds: int('ORDERHUB_PAYMENT_QUERY_AFTER_MINUTES', 5, 1, 24 * 60) * 60,
    stripeReplayWindowSeconds: int('ORDERHUB_STRIPE_REPLAY_WINDOW_SECONDS', 300, 1, 7 * 24 * 3600),
    skewAlertSeconds: int('ORDERHUB_PAYMENT_SKEW_ALERT_SECONDS', 120, 1, 24 * 3600),
    inspectionAt: at,
    inspectionZone: env['ORDERHUB_INSPECTION_ZONE'] || null,
    stuckAfterSeconds: int('ORDERHUB_STUCK_AFTER_MINUTES', 30, 1, 7 * 24 * 60) * 60,
  };
}

export function paymentSettingsOf(deps: Pick<Deps, 'settings'>): PaymentSettings {
  return { ...DEFAULT_PAYMENT_SETTINGS, ...deps.settings.payments };
}

export const PAYMENT_QUERY_QUEUE = 'payment-query';
export const PAYMENT_QUERY_SWEEP_QUEUE = 'payment-query-sweep';
export const REFUND_FOLLOW_QUEUE = 'payment-refund-follow';
export const INSPECTION_QUEUE = 'order-inspection';
