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

/**
 * Characters that make a spreadsheet read a cell as a formula (or, for tab and CR, that Excel
 * strips before doing so): `=HYPERLINK(…)`, `+cmd|' /C calc'!A0`, `@SUM(1)`, `-1+1`. Buyers type
 * province, city, remarks and tags; a masked name can start with `=` too (`=*****`).
 */
const FORMULA_START = /^[=+\-@\t\r]/;
/** A plain decimal number (an amount such as `-12.34`) is data, not a formula: it stays as it is. */
const PLAIN_NUMBER = /^-?\d+(\.\d+)?$/;

/**
 * A text cell that cannot run as a formula, as OWASP recommends against CSV injection: text that
 * starts with a formula character gets a leading single quote, which spreadsheets show as text.
 * Numbers, and text that is exactly a decimal number, are left alone.
 */
export function formulaSafe<T extends string | number>(cell: T): T | string {
  if (typeof cell !== 'string' || !FORMULA_START.test(cell) || PLAIN_NUMBER.test(cell)) return cell;
  return `'${cell}`;
}

/** A neutralised cell, for the CSV writer to quote as well (`quoted_match`). */
export const NEUTRALISED_CELL = /^'[=+\-@\t\r]/;

const money = (minor: number | null) => (minor === null ? '' : minorToDecimal(minor));
/** An amount as a spreadsheet number (exact: the nearest double to a two-decimal string prints as it). */
const moneyNumber = (minor: number | null) => (minor === null ? '' : Number(minorToDecimal(minor)));

/** Indexes of the money columns in a row of `exportColumns(true)`. */
export const MONEY_COLUMN_INDEXES: readonly number[] = EXPORT_COLUMNS.flatMap((c, i) =>
  MONEY_COLUMNS.has(c) ? [i] : [],
);

/**
 * One order as export cells, every text cell formula-safe. Amounts are decimal strings for CSV
 * (`asNumbers` false) and numbers for XLSX; a reader without `orders:amounts` gets no money cells.
 */
export function exportRow(
  o: OrderView,
  tz: string,
  withAmounts = true,
  asNumbers = false,
): (string | number)[] {
  const amount = asNumbers ? moneyNumber : money;
  const amounts = withAmounts
    ? [amount(o.goodsAmount), amount(o.shippingFee), amount(o.discount), amount(o.total)]
    : [];
  const text = [
    o.id,
    o.orderNo,
    o.externalOrderId,
    o.channel,
    o.channelAccount,
    o.status,
    o.holdReason ?? '',
    o.currency,
  ];
  const rest = [
    local(o.placedAt, tz),
    local(o.paidAt, tz),
    o.placedAt,
    o.receiver.name ?? '',
    o.receiver.phone ?? '',
    o.receiver.province ?? '',
    o.receiver.city ?? '',
    o.receiver.district ?? '',
    o.tags.join('|'),
  ];
  return [...text.map(formulaSafe), ...amounts, ...rest.map(formulaSafe), o.lineCount];
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
