import type { IngestOrderBody, ManualOrderBody } from '@orderhub/contracts';
import { recordAudit } from '../modules/audit/index.ts';
import { requireSkus, skuNames, skuStockFlags } from '../modules/catalog/index.ts';
import { accountsByIds, requireActiveAccount } from '../modules/channels/index.ts';
import { stockDepsOf } from '../modules/inventory/index.ts';
import {
  accountInScope,
  changeLines,
  type LinesEdit,
  lockOrderByKey,
  type OrderRow,
} from '../modules/orders/index.ts';
import type { Actor } from '../platform/actor.ts';
import type { Tx } from '../platform/db.ts';
import type { Deps } from '../platform/deps.ts';
import { DomainError } from '../platform/errors.ts';
import { allocateLargestRemainder } from '../platform/money.ts';
import { type FlowDeps, ingestOrder, prepareIngest } from './ingest-order.ts';
import { syncOrderStock } from './order-inventory.ts';

/**
 * A line replaced or a gift line added, and the order's stock moved to match in the same
 * transaction: what the old line held beyond what the lines now want is released (ORDER_CHANGED),
 * what they lack is reserved, as ingest reserves (a paid order left short goes on hold
 * OUT_OF_STOCK; an unpaid own-storefront order is refused INVENTORY_INSUFFICIENT and nothing changes).
 */
export async function editOrderLines(
  tx: Tx,
  deps: FlowDeps,
  at: Date,
  actor: Actor,
  input: LinesEdit,
): Promise<OrderRow | null> {
  const order = await changeLines(tx, deps.jobs, at, actor, input);
  if (!order) return null;
  const account = (await accountsByIds(tx, [order.channelAccountId])).get(order.channelAccountId)!;
  return syncOrderStock(tx, deps, at, actor, order, { code: account.code, channel: account.channel }, null);
}

/** The external id a manual order is stored under: one per order form (its `requestId`). */
export const manualOrderId = (requestId: string) => `MANUAL-${requestId}`;

/**
 * 手工建单: an order taken by phone or over the counter, entered by staff for one of the merchant's
 * own shops, and stored through the same ingest as any API order (order number, reservation,
 * timeline, outbox). Sending the same `requestId` again returns the order already made.
 */
export async function createManualOrder(
  tx: Tx,
  deps: FlowDeps & Pick<Deps, 'config' | 'crypto'>,
  at: Date,
  actor: Actor,
  body: ManualOrderBody,
): Promise<{ order: OrderRow; created: boolean }> {
  const account = await requireActiveAccount(tx, body.channelAccount);
  // A shop outside the person's data scope is as unknown to him as one that does not exist.
  if (!accountInScope(actor, account.id))
    throw new DomainError('CHANNEL_ACCOUNT_UNKNOWN', `no channel account "${body.channelAccount}"`, {
      channelAccount: body.channelAccount,
    });
  if (!stockDepsOf(deps).inventory.ownStorefrontChannels.includes(account.channel))
    throw new DomainError(
      'MANUAL_ORDER_ACCOUNT_NOT_OWN',
      `"${account.code}" is a ${account.channel} shop: its orders come from the platform`,
      { channelAccount: account.code, channel: account.channel },
    );
  if (body.receiver.phone.includes('*'))
    throw new DomainError('PHONE_INVALID', 'receiver.phone must be the whole number', {
      field: 'receiver.phone',
    });
  const externalOrderId = manualOrderId(body.requestId);
  const existing = await lockOrderByKey(tx, account.id, externalOrderId);
  if (existing) return { order: existing, created: false };

  const codes = body.lines.map((l) => l.sku);
  await requireSkus(tx, codes);
  const flags = await skuStockFlags(tx, codes);
  const inactive = codes.filter((c) => !flags.get(c)?.active);
  if (inactive.length)
    throw new DomainError('SKU_INACTIVE', `SKU ${inactive.join(', ')} is deactivated`, { sku: inactive[0] });
  const names = await skuNames(tx, codes);
  const goods = body.lines.map((l) => l.unitPrice * l.quantity);
  const goodsAmount = goods.reduce((a, b) => a + b, 0);
  const discount = body.discount ?? 0;
  const shippingFee = body.shippingFee ?? 0;
  if (discount > goodsAmount)
    throw new DomainError(
      'ORDER_AMOUNTS_INCONSISTENT',
      `discount ${discount} exceeds the goods amount ${goodsAmount}`,
      { discount, goodsAmount },
    );
  const shares = allocateLargestRemainder(discount, goods);
  const r = body.receiver;
  const ingest: IngestOrderBody = {
    channelAccount: account.code,
    externalOrderId,
    currency: 'CNY',
    placedAt: at.toISOString(),
    ...(body.paid
      ? { paidAt: at.toISOString(), status: 'paid' as const }
      : { status: 'pending_payment' as const }),
    ...(body.buyerNick?.trim() ? { buyer: { nick: body.buyerNick.trim() } } : {}),
    receiver: {
      name: r.name.trim(),
      phone: r.phone.trim(),
      ...(r.country ? { country: r.country } : {}),
      province: r.province.trim(),
      city: r.city.trim(),
      ...(r.district?.trim() ? { district: r.district.trim() } : {}),
      detail: r.detail.trim(),
      ...(r.postalCode?.trim() ? { postalCode: r.postalCode.trim() } : {}),
    },
    lines: body.lines.map((l, i) => ({
      channelSku: l.sku,
      sku: l.sku,
      title: names.get(l.sku) ?? l.sku,
      quantity: l.quantity,
      unitPrice: l.unitPrice,
      discount: shares[i] ?? 0,
    })),
    shippingFee,
    discount,
    total: goodsAmount + shippingFee - discount,
    ...(body.buyerRemark?.trim() ? { buyerRemark: body.buyerRemark.trim() } : {}),
    ...(body.sellerRemark?.trim() ? { sellerRemark: body.sellerRemark.trim() } : {}),
  };
  for (const f of ['name', 'province', 'city', 'detail'] as const)
    if (!ingest.receiver![f])
      throw new DomainError('ORDER_ADDRESS_INCOMPLETE', `receiver.${f} is empty`, { field: f });
  const canonical = prepareIngest(deps, ingest, { manual: true, requestId: body.requestId, by: actor.id });
  const result = await ingestOrder(tx, deps, at, actor, account.code, canonical);
  await recordAudit(tx, at, actor, {
    action: 'order.manual_create',
    entityType: 'order',
    entityId: result.order.id,
    summary: {
      channelAccount: account.code,
      orderNo: result.order.orderNo,
      paid: body.paid,
      lines: body.lines.length,
    },
  });
  return { order: result.order, created: true };
}
