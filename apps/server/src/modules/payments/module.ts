import { defineModule } from '../../platform/module.ts';
import { paidByVoucher } from './guard.ts';
import { maybeRunNightly } from './inspection.ts';
import { type PaymentQueryMessage, queryAttempt, sweepPendingAttempts } from './query.ts';
import { followRefund, type RefundFollowMessage } from './refunds.ts';
import { paymentRoutes } from './routes.ts';
import {
  INSPECTION_QUEUE,
  PAYMENT_QUERY_QUEUE,
  PAYMENT_QUERY_SWEEP_QUEUE,
  paymentSettingsFromEnv,
  REFUND_FOLLOW_QUEUE,
} from './settings.ts';

/** Payments: accounts, attempts, fund vouchers from callbacks and queries, refunds, the nightly inspection. */
export const paymentsModule = defineModule({
  name: 'payments',
  queues: [
    { name: PAYMENT_QUERY_QUEUE, retryLimit: 3 },
    { name: PAYMENT_QUERY_SWEEP_QUEUE },
    { name: REFUND_FOLLOW_QUEUE, retryLimit: 20 },
    { name: INSPECTION_QUEUE },
  ],
  settings: (env, overrides) => ({ payments: { ...paymentSettingsFromEnv(env), ...overrides.payments } }),
  hooks: () => ({ orderTransitionGuard: [paidByVoucher] }),
  routes: paymentRoutes,
  workers: [
    {
      queue: PAYMENT_QUERY_SWEEP_QUEUE,
      handler: (deps) => async () => {
        await sweepPendingAttempts(deps);
      },
    },
    {
      // Active queries: a callback that never came is healed here.
      queue: PAYMENT_QUERY_QUEUE,
      batchSize: 20,
      concurrency: 2,
      handler: (deps) => async (msg: PaymentQueryMessage) => {
        await queryAttempt(deps, msg.attemptId);
      },
    },
    {
      queue: REFUND_FOLLOW_QUEUE,
      batchSize: 10,
      handler: (deps) => async (msg: RefundFollowMessage) => {
        await followRefund(deps, msg.refundId);
      },
    },
    {
      queue: INSPECTION_QUEUE,
      handler: (deps) => async () => {
        await maybeRunNightly(deps);
      },
    },
  ],
  schedules: [
    { queue: PAYMENT_QUERY_SWEEP_QUEUE, cron: '* * * * *' },
    // Cron runs in UTC; the handler runs the inspection once per local day after `inspectionAt`.
    { queue: INSPECTION_QUEUE, cron: '*/10 * * * *' },
  ],
});
