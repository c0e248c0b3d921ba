import type { OrderListQuery, OrderView } from '@orderhub/contracts';
import { DateTime } from 'luxon';
import type { FieldCrypto } from '../../platform/crypto.ts';
import type { DbReader } from '../../platform/db.ts';
import { listOrders, type Reader } from '../orders/index.ts';

export const EXPORT_COLUMNS = [
  'order_id',
  'order_no',
  'external_order_id',
  'channel',
  'channel_account',
  'status',
  'hold_reason',
  'currency',
  'goods_amount',
  'shipping_fee',
  'discount',
  'total',
  'placed_at_local',
  'paid_at_local',
  'placed_at_utc',
  'receiver_name',
  'receiver_phone',
  'province',
  'city',
  'district',
  'tags',
  'lines',
] as const;

const MONEY_COLUMNS: ReadonlySet<string> = new Set(['goods_amount', 'shipping_fee', 'discount', 'total']);

/** The columns of an export; a reader without `orders:amounts` gets none of the money columns. */
export function exportColumns(withAmounts: boolean): string[] {
  return EXPORT_COLUMNS.filter((c) => withAmounts || !MONEY_COLUMNS.has(c));
}

/** Minor units to a decimal string, by integer arithmetic (CNY, USD, … have two decimals). */
export function minorToDecimal(minor: number): string {
  const sign = minor < 0 ? '-' : '';
  const abs = Math.abs(minor);
  return `${sign}${Math.trunc(abs / 100)}.${String(abs % 100).padStart(2, '0')}`;
}

function local(iso: string | null, tz: string): string {
  return iso ? DateTime.fromISO(iso).setZone(tz).toFormat('yyyy-LL-dd HH:mm:ss') : '';
}

const money = (minor: number | null) => (minor === null ? '' : minorToDecimal(minor));

export function exportRow(o: OrderView, tz: string, withAmounts = true): (string | number)[] {
  const amounts = withAmounts
    ? [money(o.goodsAmount), money(o.shippingFee), money(o.discount), money(o.total)]
    : [];
  return [
    o.id,
    o.orderNo,
    o.externalOrderId,
    o.channel,
    o.channelAccount,
    o.status,
    o.holdReason ?? '',
    o.currency,
    ...amounts,
    local(o.placedAt, tz),
    local(o.paidAt, tz),
    o.placedAt,
    o.receiver.name ?? '',
    o.receiver.phone ?? '',
    o.receiver.province ?? '',
    o.receiver.city ?? '',
    o.receiver.district ?? '',
    o.tags.join('|'),
    o.lineCount,
  ];
}

/**
 * Every order matching the filter, page by page on the list's keyset, so memory stays flat however
 * many there are. Personal data stays masked, as in the list.
 */
export async function* ordersForExport(
  db: DbReader,
  crypto: FieldCrypto,
  q: OrderListQuery,
  tzDefault: string,
  reader: Reader,
  pageSize = 500,
): AsyncGenerator<OrderView> {
  let cursor: string | undefined;
  for (;;) {
    const page = await listOrders(
      db,
      crypto,
      { ...q, limit: Math.min(pageSize, 200), ...(cursor ? { cursor } : {}) },
      tzDefault,
      reader,
    );
    for (const o of page.items) yield o;
    if (!page.nextCursor) return;
    cursor = page.nextCursor;
  }
}
