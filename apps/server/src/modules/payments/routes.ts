import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import {
  FundVoucherView,
  InspectionView,
  OrderPaymentsView,
  PAYMENT_EXCEPTIONS,
  PaymentAccountView,
  PaymentAttemptView,
  PaymentEventView,
  PaymentExceptionView,
  RefundView,
} from '@orderhub/contracts';
import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { Deps } from '../../platform/deps.ts';
import { DomainError } from '../../platform/errors.ts';
import { IDEMPOTENCY_KEY_PATTERN, requestHash, withIdempotencyKey } from '../../platform/idempotency.ts';
import { recordAudit } from '../audit/index.ts';
import { keepOrdersInScope, orderNumbers } from '../orders/index.ts';
import {
  CreatePaymentAccountBody,
  createPaymentAccount,
  getPaymentAccountView,
  listPaymentAccounts,
  UpdatePaymentAccountBody,
  updatePaymentAccount,
} from './accounts.ts';
import { CreatePaymentBody, createPaymentAttempt } from './attempts.ts';
import { listInspections, runInspection } from './inspection.ts';
import { notifyRoutes } from './notify.ts';
import { CreateRefundBody, followRefund, requestRefund } from './refunds.ts';
import { paymentSettingsOf } from './settings.ts';
import { eventView, orderPayments, voucherViews } from './views.ts';

// biome-ignore lint/suspicious/noExplicitAny: rows of hand-written SQL, read field by field
type DbRow = Record<string, any>;

const Id = Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }) });

export async function paymentRoutes(app: FastifyInstance, deps: Deps): Promise<void> {
  const { database, crypto, clock, log } = deps;
  const publicUrl = paymentSettingsOf(deps).publicUrl;
  const r = app.withTypeProvider<TypeBoxTypeProvider>();

  r.get(
    '/api/payment-accounts',
    {
      config: { permission: 'payments:read' },
      schema: {
        operationId: 'listPaymentAccounts',
        tags: ['payments'],
        summary: 'Payment accounts (secrets are never returned)',
        response: { 200: Type.Array(PaymentAccountView) },
      },
    },
    async () => listPaymentAccounts(database, crypto, publicUrl),
  );
  r.get(
    '/api/payment-accounts/:id',
    {
      config: { permission: 'payments:read' },
      schema: {
        operationId: 'getPaymentAccount',
        tags: ['payments'],
        summary: 'One payment account by id or code',
        params: Id,
        response: { 200: PaymentAccountView },
      },
    },
    async (req) => getPaymentAccountView(database, crypto, publicUrl, req.params.id),
  );
  r.post(
    '/api/payment-accounts',
    {
      config: {
        permission: 'payments:manage',
        errors: ['PAYMENT_ACCOUNT_CODE_TAKEN', 'PAYMENT_SETTINGS_INVALID'],
      },
      schema: {
        operationId: 'createPaymentAccount',
        tags: ['payments'],
        summary: 'Add a payment account (WeChat Pay, Alipay or Stripe)',
        description:
          'The settings are checked by the provider adapter (keys parsed, PEMs read), stored sealed, audited by field name only, and never returned. Give the provider the `notifyUrl` of the answer.',
        body: CreatePaymentAccountBody,
        response: { 201: PaymentAccountView },
      },
    },
    async (req, reply) =>
      reply
        .status(201)
        .send(
          await database.tx((tx) =>
            createPaymentAccount(tx, crypto, publicUrl, clock.now(), req.actor!, req.body),
          ),
        ),
  );
  r.patch(
    '/api/payment-accounts/:id',
    {
      config: { permission: 'payments:manage', errors: ['PAYMENT_SETTINGS_INVALID'] },
      schema: {
        operationId: 'updatePaymentAccount',
        tags: ['payments'],
        summary: 'Rename, (de)activate, repoint or rotate the secrets of a payment account',
        description:
          'Settings given replace the stored ones field by field (rotation); the audit log records which fields changed, never their values.',
        params: Id,
        body: UpdatePaymentAccountBody,
        response: { 200: PaymentAccountView },
      },
    },
    async (req) =>
      database.tx((tx) =>
        updatePaymentAccount(tx, crypto, publicUrl, clock.now(), req.actor!, req.params.id, req.body),
      ),
  );

  r.post(
    '/api/orders/:id/payments',
    {
      config: {
        permission: 'payments:collect',
        errors: [
          'ORDER_NOT_FOUND',
          'PAYMENT_ACCOUNT_UNKNOWN',
          'PAYMENT_ACCOUNT_INACTIVE',
          'PAYMENT_NOT_PAYABLE',
        ],
      },
      schema: {
        operationId: 'createOrderPayment',
        tags: ['payments'],
        summary: 'Start a payment: what the buyer’s client needs to pay what the order still owes',
        description:
          '`client` holds WeChat Native `codeUrl` (or JSAPI prepay parameters), Alipay `payUrl`, or Stripe `clientSecret`. The order becomes paid only when the provider confirms (callback or active query). 502 PAYMENT_PROVIDER_FAILED when the provider refuses or cannot be reached.',
        params: Id,
        body: CreatePaymentBody,
        response: { 201: PaymentAttemptView },
      },
    },
    async (req, reply) =>
      reply.status(201).send(await createPaymentAttempt(deps, req.actor!, req.params.id, req.body)),
  );
  r.get(
    '/api/orders/:id/payments',
    {
      config: { permission: 'payments:read', errors: ['ORDER_NOT_FOUND'] },
      schema: {
        operationId: 'getOrderPayments',
        tags: ['payments'],
        summary: 'An order’s payment attempts, fund vouchers and refunds, with what is paid and refundable',
        params: Id,
        response: { 200: OrderPaymentsView },
      },
    },
    async (req) => orderPayments(database, req.params.id),
  );
  r.post(
    '/api/orders/:id/refunds',
    {
      config: {
        permission: 'payments:refund',
        errors: ['ORDER_NOT_FOUND', 'REFUND_EXCEEDS_PAID', 'REFUND_NOTHING_PAID'],
      },
      schema: {
        operationId: 'createOrderRefund',
        tags: ['payments'],
        summary: 'Refund money through the provider (never more than was paid)',
        description:
          'Needs an `Idempotency-Key`: a retry with the same key and body returns the first answer. The refund starts `requested`, is sent to the provider with its own idempotent refund number and followed to `succeeded` (a reversing voucher) or `failed` through notices and queries.',
        params: Id,
        headers: Type.Object({
          'idempotency-key': Type.String({
            minLength: 1,
            maxLength: 128,
            description: 'retry-safe key: the same key and body return the first answer',
          }),
        }),
        body: CreateRefundBody,
        response: { 201: RefundView },
      },
    },
    async (req, reply) => {
      const actor = req.actor!;
      const key = req.headers['idempotency-key'];
      if (!IDEMPOTENCY_KEY_PATTERN.test(key))
        throw new DomainError('VALIDATION_FAILED', 'Idempotency-Key must be 1–128 visible ASCII characters');
      const route = `POST /api/orders/${req.params.id}/refunds`;
      const scope = { principal: actor.id ?? actor.name, key, route, hash: requestHash(route, req.body) };
      const res = await database.tx((tx) =>
        withIdempotencyKey(tx, clock.now(), scope, async () => ({
          status: 201,
          body: await requestRefund(tx, deps, clock.now(), actor, req.params.id, req.body),
        })),
      );
      if (res.replayed) reply.header('idempotent-replayed', 'true');
      const refund = res.body as RefundView;
      // First step at once; the job follows up (same refund number) if this one does not finish.
      if (!res.replayed && refund.status === 'requested') {
        try {
          return reply.status(201).send(await followRefund(deps, refund.id));
        } catch (err) {
          log.info(
            { err: (err as Error).message, refund: refund.id },
            'refund not final yet; the job follows it',
          );
          return reply
            .status(201)
            .send(
              (await orderPayments(database, req.params.id)).refunds.find((x) => x.id === refund.id) ??
                refund,
            );
        }
      }
      return reply.status(201).send(refund);
    },
  );

  r.get(
    '/api/payments/exceptions',
    {
      config: { permission: 'payments:read' },
      schema: {
        operationId: 'listPaymentExceptions',
        tags: ['payments'],
        summary:
          'Vouchers someone has to act on: payments for cancelled orders (to refund), mismatches, overpayments',
        querystring: Type.Object(
          { exception: Type.Optional(Type.Union(PAYMENT_EXCEPTIONS.map((e) => Type.Literal(e)))) },
          { additionalProperties: false },
        ),
        response: { 200: Type.Array(PaymentExceptionView) },
      },
    },
    async (req) => {
      const vouchers = await keepOrdersInScope(
        database,
        req.actor,
        await voucherViews(
          database,
          `v.exception IS NOT NULL AND v.exception_resolved_at IS NULL AND ($1::text IS NULL OR v.exception = $1)`,
          [req.query.exception ?? null],
        ),
        (v) => v.orderId,
      );
      const numbers = await orderNumbers(
        database,
        vouchers.flatMap((v) => (v.orderId ? [v.orderId] : [])),
      );
      return vouchers.map((v) => ({ ...v, orderNo: (v.orderId && numbers.get(v.orderId)) || null }));
    },
  );
  r.post(
    '/api/payments/vouchers/:id/resolve',
    {
      config: { permission: 'payments:refund' },
      schema: {
        operationId: 'resolvePaymentException',
        tags: ['payments'],
        summary: 'Take a voucher off the exception queue (after refunding or explaining it); audited',
        params: Id,
        body: Type.Object(
          { note: Type.String({ minLength: 1, maxLength: 500 }) },
          { additionalProperties: false, examples: [{ note: '已原路退款' }] },
        ),
        response: { 200: FundVoucherView },
      },
    },
    async (req) =>
      database.tx(async (tx) => {
        const at = clock.now();
        const rows = await tx.query<{ id: string }>(
          `UPDATE fund_vouchers SET exception_resolved_at = $2 WHERE id = $1 AND exception IS NOT NULL AND exception_resolved_at IS NULL RETURNING id`,
          [req.params.id, at],
        );
        if (!rows[0])
          throw new DomainError('NOT_FOUND', `no open payment exception on voucher ${req.params.id}`);
        await recordAudit(tx, at, req.actor!, {
          action: 'payment.exception_resolved',
          entityType: 'fund_voucher',
          entityId: req.params.id,
          summary: { note: req.body.note },
        });
        return (await voucherViews(tx, 'v.id = $1', [req.params.id]))[0]!;
      }),
  );
  r.get(
    '/api/payments/events',
    {
      config: { permission: 'payments:read' },
      schema: {
        operationId: 'listPaymentEvents',
        tags: ['payments'],
        summary: 'Callbacks, refusals, queries and refund steps, newest first',
        querystring: Type.Object(
          {
            paymentAccount: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
            outcome: Type.Optional(Type.String({ minLength: 1, maxLength: 32, pattern: '^[a-z_]+$' })),
            orderId: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
            limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50 })),
          },
          { additionalProperties: false },
        ),
        response: { 200: Type.Array(PaymentEventView) },
      },
    },
    async (req) => {
      const q = req.query;
      const rows = await database.query<DbRow>(
        `SELECT * FROM payment_events
          WHERE ($1::text IS NULL OR account_code = $1) AND ($2::text IS NULL OR outcome = $2) AND ($3::text IS NULL OR order_id = $3)
          ORDER BY received_at DESC, id DESC LIMIT $4`,
        [q.paymentAccount ?? null, q.outcome ?? null, q.orderId ?? null, q.limit ?? 50],
      );
      return keepOrdersInScope(database, req.actor, rows.map(eventView), (e) => e.orderId);
    },
  );

  r.get(
    '/api/inspections',
    {
      config: { permission: 'payments:read' },
      schema: {
        operationId: 'listInspections',
        tags: ['payments'],
        summary: 'Health inspections, newest first: stuck orders, likely causes, fixes tried',
        querystring: Type.Object(
          { limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 10 })) },
          { additionalProperties: false },
        ),
        response: { 200: Type.Array(InspectionView) },
      },
    },
    async (req) =>
      Promise.all(
        (await listInspections(deps, req.query.limit ?? 10)).map(async (run) => {
          const findings = await keepOrdersInScope(database, req.actor, run.findings, (f) => f.orderId);
          // Every stuck order is a finding: a reader with a data scope counts his shops' only.
          return findings.length === run.findings.length
            ? run
            : { ...run, findings, stuckCount: findings.length };
        }),
      ),
  );
  r.post(
    '/api/inspections',
    {
      config: { permission: 'payments:manage' },
      schema: {
        operationId: 'runInspection',
        tags: ['payments'],
        summary: 'Run the health inspection now',
        description:
          '`stuckAfterMinutes` lists orders stuck for less (or more) than the configured threshold (default 30) in this run only.',
        body: Type.Object(
          { stuckAfterMinutes: Type.Optional(Type.Integer({ minimum: 1, maximum: 10080 })) },
          { additionalProperties: false, examples: [{ stuckAfterMinutes: 30 }] },
        ),
        response: { 201: InspectionView },
      },
    },
    async (req, reply) =>
      reply.status(201).send(
        await runInspection(deps, 'manual', {
          ...(req.body.stuckAfterMinutes ? { stuckAfterSeconds: req.body.stuckAfterMinutes * 60 } : {}),
        }),
      ),
  );

  await notifyRoutes(app, deps);
}
