import type { PaymentAttemptView } from '@orderhub/contracts';
import { Type } from '@sinclair/typebox';
import type { Actor } from '../../platform/actor.ts';
import type { Deps } from '../../platform/deps.ts';
import { DomainError } from '../../platform/errors.ts';
import { newUlid } from '../../platform/ids.ts';
import { recordAudit } from '../audit/index.ts';
import { getOrderRow } from '../orders/index.ts';
import { notifyUrlOf, type PaymentAccount, requireUsableAccount } from './accounts.ts';
import { paymentTimeline } from './apply.ts';
import { recordEvent } from './events.ts';
import { type ProviderContext, ProviderError } from './provider.ts';
import { paymentSettingsOf } from './settings.ts';
import { attemptViews, paidOf } from './views.ts';

export const CreatePaymentBody = Type.Object(
  {
    paymentAccount: Type.String({ minLength: 1, maxLength: 64, description: 'code of the payment account' }),
    mode: Type.Optional(
      Type.Union([Type.Literal('native'), Type.Literal('jsapi')], {
        description: 'WeChat Pay only: native (QR code_url, default) or jsapi (needs payerOpenId)',
      }),
    ),
    payerOpenId: Type.Optional(
      Type.String({ minLength: 1, maxLength: 128, description: 'WeChat JSAPI: the payer’s openid' }),
    ),
  },
  { additionalProperties: false, examples: [{ paymentAccount: 'wechat-main' }] },
);
export type CreatePaymentBody = typeof CreatePaymentBody.static;

export function providerContext(
  deps: Pick<Deps, 'settings' | 'clock'>,
  account: PaymentAccount,
): ProviderContext<unknown> {
  const s = paymentSettingsOf(deps);
  return {
    settings: account.settings,
    baseUrl: account.baseUrl,
    now: deps.clock.now(),
    fetch: globalThis.fetch,
    notifyUrl: notifyUrlOf(s.publicUrl, account.code),
  };
}

/** What a failed provider call leaves on its event and timeline entry: codes people read in their language. */
export function failureParams(e: unknown): {
  providerCode: string;
  httpStatus: number | null;
  retryable: boolean;
} {
  if (e instanceof ProviderError)
    return { providerCode: e.code, httpStatus: e.httpStatus, retryable: e.retryable };
  return { providerCode: 'UNKNOWN', httpStatus: null, retryable: true };
}

/** A provider failure as the caller sees it: 502 with the provider's code, nothing money-relevant written. */
export function providerFailure(e: unknown, what: string): DomainError {
  if (e instanceof ProviderError)
    return new DomainError('PAYMENT_PROVIDER_FAILED', `${what}: ${e.message}`, {
      providerCode: e.code,
      retryable: e.retryable,
      httpStatus: e.httpStatus,
    });
  return new DomainError('PAYMENT_PROVIDER_FAILED', `${what}: ${(e as Error).message ?? String(e)}`, {
    retryable: true,
  });
}

/**
 * Starts collecting what the order still owes through one account: an attempt with a fresh merchant
 * trade number, then (outside any transaction) the provider call that gives the buyer's client its
 * QR code, pay URL or client secret.
 */
export async function createPaymentAttempt(
  deps: Deps,
  actor: Actor,
  orderId: string,
  input: CreatePaymentBody,
): Promise<PaymentAttemptView> {
  const { database, crypto, clock } = deps;
  const s = paymentSettingsOf(deps);
  const account = await requireUsableAccount(database, crypto, input.paymentAccount);
  if (account.provider.name === 'wechatpay' && input.mode === 'jsapi' && !input.payerOpenId)
    throw new DomainError('VALIDATION_FAILED', 'mode jsapi needs payerOpenId', { field: 'payerOpenId' });
  const at = clock.now();
  const tradeNo = `P${newUlid().toUpperCase()}`;
  const id = `pat_${newUlid()}`;
  const expiresAt = new Date(at.getTime() + s.attemptTtlSeconds * 1000);
  const order = await database.tx(async (tx) => {
    const row = await getOrderRow(tx, orderId);
    if (row.status !== 'pending_payment')
      throw new DomainError(
        'PAYMENT_NOT_PAYABLE',
        `order ${row.orderNo} is ${row.status}; only an order pending payment can be paid`,
        {
          status: row.status,
        },
      );
    const paid = await paidOf(tx, row.id, row.currency);
    const amount = Number(row.total) - paid;
    if (amount <= 0)
      throw new DomainError(
        'PAYMENT_NOT_PAYABLE',
        `order ${row.orderNo} owes nothing (total ${row.total}, paid ${paid})`,
        {
          total: Number(row.total),
          paid,
        },
      );
    await tx.query(
      `INSERT INTO payment_attempts (id, order_id, payment_account_id, merchant_trade_no, amount, currency, status, mode, expires_at, created_at, updated_at,
          order_channel_account_id, order_external_id)
       VALUES ($1,$2,$3,$4,$5,$6,'pending',$7,$8,$9,$9,$10,$11)`,
      [
        id,
        row.id,
        account.id,
        tradeNo,
        amount,
        row.currency,
        input.mode ?? null,
        expiresAt,
        at,
        row.channelAccountId,
        row.externalOrderId,
      ],
    );
    await paymentTimeline(tx, at, actor, row.id, 'attempt_created', {
      provider: account.provider.name,
      paymentAccount: account.code,
      merchantTradeNo: tradeNo,
      amount,
      currency: row.currency,
    });
    await recordAudit(tx, at, actor, {
      action: 'payment.attempt',
      entityType: 'order',
      entityId: row.id,
      summary: {
        attemptId: id,
        paymentAccount: account.code,
        merchantTradeNo: tradeNo,
        amount,
        currency: row.currency,
      },
    });
    return { ...row, amount };
  });
  try {
    const created = await account.provider.createPayment(providerContext(deps, account), {
      merchantTradeNo: tradeNo,
      amount: order.amount,
      currency: order.currency,
      description: `Order ${order.orderNo}`,
      expiresAt,
      ...(input.mode ? { mode: input.mode } : {}),
      ...(input.payerOpenId ? { payerOpenId: input.payerOpenId } : {}),
      idempotencyKey: id,
    });
    await database.query(
      `UPDATE payment_attempts SET client = $2, provider_ref = $3, updated_at = $4 WHERE id = $1`,
      [id, JSON.stringify(created.client), created.providerRef, clock.now()],
    );
  } catch (e) {
    const failure = providerFailure(e, `${account.provider.name} refused to create the payment`);
    // The trade number may exist at the provider (a timeout): the attempt stays pending and is queried.
    const retryable = !(e instanceof ProviderError) || e.retryable;
    if (!retryable)
      await database.query(
        `UPDATE payment_attempts SET status = 'failed', updated_at = $2 WHERE id = $1 AND status = 'pending'`,
        [id, clock.now()],
      );
    await recordEvent(database, {
      accountId: account.id,
      accountCode: account.code,
      kind: 'query',
      outcome: 'failed',
      reason: 'CREATE_FAILED',
      params: failureParams(e),
      message: failure.message.slice(0, 500),
      merchantTradeNo: tradeNo,
      orderId: order.id,
      receivedAt: clock.now(),
    });
    throw failure;
  }
  return (await attemptViews(database, { attemptId: id }))[0]!;
}
