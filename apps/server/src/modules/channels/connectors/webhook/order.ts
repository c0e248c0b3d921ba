import { IngestOrderBody } from '@orderhub/contracts';
import { FormatRegistry, Type } from '@sinclair/typebox';
import { TypeCompiler } from '@sinclair/typebox/compiler';
import type { ChannelOrder } from '../../connector.ts';
import { shapeOf } from '../../shape.ts';

if (!FormatRegistry.Has('date-time'))
  FormatRegistry.Set(
    'date-time',
    (v) =>
      /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/i.test(v) &&
      !Number.isNaN(Date.parse(v)),
  );

const RefundInput = Type.Object(
  {
    externalLineId: Type.Union([Type.String({ minLength: 1, maxLength: 64 }), Type.Null()]),
    status: Type.Union([Type.Literal('requested'), Type.Literal('refunded'), Type.Literal('closed')]),
    refundOnly: Type.Boolean(),
  },
  { additionalProperties: false },
);

/** The envelope form: the canonical order plus what the order body has no place for (refunds, the shop's status word). */
const Envelope = Type.Object(
  {
    order: Type.Unknown(),
    platformStatus: Type.Optional(Type.String({ maxLength: 64 })),
    refunds: Type.Optional(Type.Array(RefundInput, { maxItems: 500 })),
  },
  { additionalProperties: false },
);

const checkOrder = TypeCompiler.Compile(IngestOrderBody);
const checkEnvelope = TypeCompiler.Compile(Envelope);

export class OrderShapeError extends Error {}

/**
 * One order as the generic webhook sends it: either the body `POST /api/orders` takes
 * (`channelAccount` may be left out; the account is the one the message came to), or
 * `{ order, refunds?, platformStatus? }`. `sourceVersion` is the order's modification time.
 */
export function parseWebhookOrder(value: unknown, accountCode: string): ChannelOrder {
  let body = value;
  let refunds: ChannelOrder['refunds'] = [];
  let platformStatus: string | undefined;
  if (value && typeof value === 'object' && 'order' in value) {
    if (!checkEnvelope.Check(value)) throw new OrderShapeError(firstError(checkEnvelope, value));
    body = value.order;
    refunds = value.refunds ?? [];
    platformStatus = value.platformStatus;
  }
  if (!body || typeof body !== 'object' || Array.isArray(body))
    throw new OrderShapeError('the order is not an object');
  const withAccount = { ...(body as Record<string, unknown>), channelAccount: accountCode };
  if (!checkOrder.Check(withAccount)) throw new OrderShapeError(firstError(checkOrder, withAccount));
  const { channelAccount: _a, ...order } = withAccount;
  const modified = Date.parse(order.sourceVersion ?? order.placedAt);
  const status = order.status ?? (order.paidAt ? 'paid' : 'pending_payment');
  return {
    externalOrderId: order.externalOrderId,
    modifiedAt: new Date(modified),
    order: { ...order, raw: order.raw ?? value },
    platformStatus: platformStatus ?? status,
    refunds,
    receiverEncrypted: Boolean(order.receiver?.platformRef),
    raw: value,
  };
}

function firstError(
  check: { Errors(v: unknown): Iterable<{ path: string; message: string }> },
  v: unknown,
): string {
  for (const e of check.Errors(v)) return `${e.path || '/'}: ${e.message}`;
  return 'invalid order';
}

export { shapeOf };
