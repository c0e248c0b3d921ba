export {
  loadAccountByCode,
  type PaymentAccount,
  requireUsableAccount,
} from './accounts.ts';
export { applyProviderEvent } from './apply.ts';
export { createPaymentAttempt } from './attempts.ts';
export { paidByVoucher } from './guard.ts';
export { listInspections, maybeRunNightly, runInspection } from './inspection.ts';
export { paymentsModule } from './module.ts';
export type * from './provider.ts';
export { ProviderError, SettingsError } from './provider.ts';
export { availableProviders, providerFor } from './providers/index.ts';
export { dueAttempts, queryAttempt, sweepPendingAttempts } from './query.ts';
export { followRefund } from './refunds.ts';
export { paymentsSealedData } from './reseal.ts';
export {
  DEFAULT_PAYMENT_SETTINGS,
  type PaymentSettings,
  paymentSettingsFromEnv,
} from './settings.ts';
export { orderPayments } from './views.ts';
