import {
  MAX_ORDER_NOS_PER_SEARCH,
  ORDER_STATUSES,
  ORDER_TABS,
  type OrderCountsQuery,
  type OrderCountsResponse,
  type OrderListQuery,
  type OrderView,
  SHIP_DEADLINE_HOURS,
  splitOrderNos,
} from '@orderhub/contracts';
import { and, asc, desc, eq, gte, inArray, isNotNull, lt, lte, or, type SQL, sql } from 'drizzle-orm';
import { type Actor, scopedAccounts } from '../../platform/actor.ts';
import type { FieldCrypto } from '../../platform/crypto.ts';
import { decodeCursor, encodeCursor } from '../../platform/cursor.ts';
import type { DbReader, SqlExecutor } from '../../platform/db.ts';
import { DomainError } from '../../platform/errors.ts';
import { localDayRange, parseInstant } from '../../platform/time.ts';
import { accountIdsWhere, accountsByIds } from '../channels/index.ts';
import { nameIndex, phoneIndex, phoneLast4Index } from './normalise.ts';
import { orderLines, orders } from './schema.ts';
import { orderScopeWhere } from './scope.ts';
import { orderView } from './view.ts';

const SORT_COLUMNS = {
  placedAt: orders.placedAt,
  paidAt: orders.paidAt,
  updatedAt: orders.updatedAt,
} as const;

/** `%` and `_` typed by a person are literal characters in a prefix search. */
const likePrefix = (text: string) => `${text.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

/** Statuses an order can be overdue to ship in (paid, not yet shipped, not cancelled). */
const UNSHIPPED: readonly string[] = ['paid', 'under_review', 'on_hold', 'approved', 'fulfilling'];

/**
 * The list's filters as SQL conditions, every value a bound parameter; day filters are instant
 * ranges in the asked zone. Shared by the list, its tab counts and the export.
 */
export async function orderFilters(
  exec: DbReader,
  crypto: FieldCrypto,
  q: OrderCountsQuery & { status?: OrderListQuery['status'] },
  tzDefault: string,
  now: Date = new Date(),
  reader: Pick<Actor, 'scope'> | null = null,
): Promise<SQL[]> {
  const where: SQL[] = [];
  const scoped = orderScopeWhere(reader);
  if (scoped) where.push(scoped);
  if (q.status?.length) where.push(inArray(orders.status, q.status));
  if (q.channel?.length || q.account?.length) {
    const ids = await accountIdsWhere(exec, {
      channels: q.channel?.length ? q.channel : undefined,
      codes: q.account?.length ? q.account : undefined,
    });
    where.push(ids.length ? inArray(orders.channelAccountId, ids) : sql`false`);
  }
  if (q.holdReason?.length) where.push(inArray(orders.holdReason, q.holdReason));
  if (q.tag?.length) where.push(sql`${orders.tags} @> ${sql.param(q.tag)}::text[]`);
  // One box for every number a person may have: ours (any case), the channel's, or the API id.
  if (q.orderNo)
    where.push(
      or(
        eq(orders.orderNo, q.orderNo.toUpperCase()),
        eq(orders.externalOrderId, q.orderNo),
        eq(orders.id, q.orderNo),
      )!,
    );
  if (q.orderNos !== undefined) {
    const nos = splitOrderNos(q.orderNos);
    if (nos.length > MAX_ORDER_NOS_PER_SEARCH)
      throw new DomainError(
        'ORDER_NOS_TOO_MANY',
        `at most ${MAX_ORDER_NOS_PER_SEARCH} order numbers per search; this one has ${nos.length}`,
        { limit: MAX_ORDER_NOS_PER_SEARCH, given: nos.length },
      );
    if (nos.some((n) => n.length > 128))
      throw new DomainError('VALIDATION_FAILED', 'an order number is at most 128 characters', {
        field: 'orderNos',
      });
    if (nos.length)
      where.push(
        or(
          inArray(
            orders.orderNo,
            nos.map((n) => n.toUpperCase()),
          ),
          inArray(orders.externalOrderId, nos),
          inArray(orders.id, nos),
        )!,
      );
  }
  if (q.sku) {
    where.push(
      sql`EXISTS (SELECT 1 FROM ${orderLines} WHERE ${orderLines.orderId} = ${orders.id} AND (lower(${orderLines.sku}) LIKE ${likePrefix(q.sku)} OR ${orderLines.channelSku} = ${q.sku}))`,
    );
  }
  if (q.title)
    where.push(
      sql`EXISTS (SELECT 1 FROM ${orderLines} WHERE ${orderLines.orderId} = ${orders.id} AND lower(${orderLines.title}) LIKE ${likePrefix(q.title)})`,
    );
  if (q.phone) {
    if (/^\d{4}$/.test(q.phone)) {
      where.push(eq(orders.receiverPhoneLast4Idx, phoneLast4Index(crypto, q.phone)!));
    } else {
      const idx = phoneIndex(crypto, q.phone);
      if (!idx)
        throw new DomainError(
          'PHONE_INVALID',
          `"${q.phone}" is neither a complete phone number nor its last 4 digits`,
          { field: 'phone' },
        );
      where.push(eq(orders.receiverPhoneIdx, idx));
    }
  }
  if (q.receiverName) {
    const idx = nameIndex(crypto, q.receiverName);
    where.push(idx ? eq(orders.receiverNameIdx, idx) : sql`false`);
  }
  if (q.buyerNick) where.push(sql`lower(${orders.buyerNick}) LIKE ${likePrefix(q.buyerNick)}`);
  if (q.hasBuyerRemark !== undefined)
    where.push(
      q.hasBuyerRemark ? sql`${orders.buyerRemark} <> ''` : sql`COALESCE(${orders.buyerRemark}, '') = ''`,
    );
  if (q.hasSellerRemark !== undefined)
    where.push(
      q.hasSellerRemark ? sql`${orders.sellerRemark} <> ''` : sql`COALESCE(${orders.sellerRemark}, '') = ''`,
    );
  if (q.sellerFlag?.length) where.push(inArray(orders.sellerFlag, q.sellerFlag));
  if (q.overdue !== undefined) {
    const deadline = new Date(now.getTime() - SHIP_DEADLINE_HOURS * 3600_000);
    const late = and(inArray(orders.status, [...UNSHIPPED]), lt(orders.paidAt, deadline))!;
    where.push(q.overdue ? late : sql`NOT (${late})`);
  }
  if (q.placedFrom) where.push(gte(orders.placedAt, parseInstant(q.placedFrom, 'placedFrom')));
  if (q.placedTo) where.push(lt(orders.placedAt, parseInstant(q.placedTo, 'placedTo')));
  if (q.paidFrom) where.push(gte(orders.paidAt, parseInstant(q.paidFrom, 'paidFrom')));
  if (q.paidTo) where.push(lt(orders.paidAt, parseInstant(q.paidTo, 'paidTo')));
  if (q.localDay) {
    const { from, to } = localDayRange(q.localDay, q.tz ?? tzDefault);
    where.push(gte(orders.placedAt, from), lt(orders.placedAt, to));
  } else if (q.tz) {
    localDayRange('2000-01-01', q.tz); // a bad zone is refused even when unused
  }
  return where;
}

/**
 * Orders per status and per tab for the list's filters (status aside): one grouped count over the
 * status index, so the tabs cost one query whatever the filter.
 */
export async function countOrders(
  exec: DbReader,
  crypto: FieldCrypto,
  q: OrderCountsQuery,
  tzDefault: string,
  now?: Date,
  reader: Pick<Actor, 'scope'> | null = null,
): Promise<OrderCountsResponse> {
  const scope = scopedAccounts(reader);
  // Filtered by nothing but shops (the usual first view): the kept totals, whatever the size.
  const onlyShops = Object.entries(q).every(
    ([k, v]) => v === undefined || k === 'channel' || k === 'account' || k === 'tz',
  );
  let rows: { status: string; n: string | number }[];
  if (onlyShops) {
    let ids =
      q.channel?.length || q.account?.length
        ? await accountIdsWhere(exec, {
            channels: q.channel?.length ? q.channel : undefined,
            codes: q.account?.length ? q.account : undefined,
          })
        : null;
    // The kept totals are per shop, so a scoped reader's counts are the sum over his shops only.
    if (scope) ids = ids ? ids.filter((id) => scope.includes(id)) : [...scope];
    if (q.tz) localDayRange('2000-01-01', q.tz); // a bad zone is refused even when unused
    rows = await exec.query<{ status: string; n: string }>(
      `SELECT status, sum(n) AS n FROM (
         SELECT channel_account_id, status, n FROM order_status_counts
         UNION ALL SELECT channel_account_id, status, delta FROM order_status_count_deltas) c
        WHERE $1::text[] IS NULL OR channel_account_id = ANY($1::text[])
        GROUP BY status`,
      [ids],
    );
  } else {
    const where = await orderFilters(exec, crypto, q, tzDefault, now, reader);
    rows = await exec.db
      .select({ status: orders.status, n: sql<string>`count(*)` })
      .from(orders)
      .where(where.length ? and(...where) : undefined)
      .groupBy(orders.status);
  }
  const statuses: Record<string, number> = Object.fromEntries(ORDER_STATUSES.map((st) => [st, 0]));
  for (const r of rows) statuses[r.status] = Number(r.n);
  const total = Object.values(statuses).reduce((a, b) => a + b, 0);
  const tabs: Record<string, number> = {};
  for (const tab of ORDER_TABS)
    tabs[tab.key] = tab.statuses.length ? tab.statuses.reduce((a, st) => a + (statuses[st] ?? 0), 0) : total;
  return { total, tabs, statuses };
}

/**
 * The order list: every filter is a bound parameter, day filters are instant ranges in the asked
 * zone, paging is keyset on (sort column, id) so page 500 costs what page 1 does. Each item carries
 * its first lines (title, SKU, quantity), read for the whole page in one query.
 */
export async function listOrders(
  exec: DbReader,
  crypto: FieldCrypto,
  q: OrderListQuery,
  tzDefault: string,
  reader: Pick<Actor, 'type' | 'permissions' | 'scope'>,
  now?: Date,
): Promise<{ items: OrderView[]; nextCursor: string | null }> {
  const where = await orderFilters(exec, crypto, q, tzDefault, now, reader);

  const [sortKey, dir] = (q.sort ?? 'placedAt:desc').split(':') as [
    keyof typeof SORT_COLUMNS,
    'asc' | 'desc',
  ];
  const col = SORT_COLUMNS[sortKey];
  // Orders never paid have no place in a list sorted by payment time.
  if (sortKey === 'paidAt') where.push(isNotNull(orders.paidAt));
  if (q.cursor) {
    const [v, id] = decodeCursor(q.cursor, ['instant', 'id']);
    if (!v || !id || Number.isNaN(Date.parse(v)))
      throw new DomainError('INVALID_CURSOR', 'the cursor does not fit this sort');
    const at = new Date(v);
    where.push(
      dir === 'desc'
        ? sql`(${col}, ${orders.id}) < (${at}, ${id})`
        : sql`(${col}, ${orders.id}) > (${at}, ${id})`,
    );
  }
  const limit = q.limit ?? 50;
  const order = dir === 'desc' ? [desc(col), desc(orders.id)] : [asc(col), asc(orders.id)];
  const rows = await exec.db
    .select()
    .from(orders)
    .where(where.length ? and(...where) : undefined)
    .orderBy(...order)
    .limit(limit + 1);
  const page = rows.slice(0, limit);
  const accounts = await accountsByIds(
    exec,
    page.map((o) => o.channelAccountId),
  );
  const last = page.at(-1);
  const lastKey = last ? (last[sortKey] as Date | null) : null;
  const previews = await linePreviews(
    exec,
    page.map((o) => o.id),
  );
  return {
    items: page.map((o) => {
      const a = accounts.get(o.channelAccountId)!;
      return {
        ...orderView(o, { code: a.code, channel: a.channel, name: a.name }, crypto, false, reader),
        linesPreview: previews.get(o.id) ?? [],
      };
    }),
    nextCursor:
      rows.length > limit && last && lastKey ? encodeCursor([lastKey.toISOString(), last.id]) : null,
  };
}

/** The first `PREVIEW_LINES` lines of each order, for list rows. */
const PREVIEW_LINES = 5;
async function linePreviews(exec: DbReader, ids: string[]) {
  const out = new Map<
    string,
    { sku: string | null; channelSku: string; title: string | null; quantity: number }[]
  >();
  if (!ids.length) return out;
  const rows = await exec.db
    .select({
      orderId: orderLines.orderId,
      sku: orderLines.sku,
      channelSku: orderLines.channelSku,
      title: orderLines.title,
      quantity: orderLines.quantity,
    })
    .from(orderLines)
    .where(and(inArray(orderLines.orderId, ids), lte(orderLines.lineNo, PREVIEW_LINES)))
    .orderBy(asc(orderLines.orderId), asc(orderLines.lineNo));
  for (const { orderId, ...l } of rows) {
    const list = out.get(orderId) ?? [];
    list.push(l);
    out.set(orderId, list);
  }
  return out;
}

/**
 * Folds the appended status-count deltas into the totals, in one statement: a delta is either still
 * in the log or already in a total, never both, whatever runs beside it.
 */
export async function foldStatusCounts(exec: SqlExecutor): Promise<void> {
  await exec.query(
    `WITH d AS (DELETE FROM order_status_count_deltas RETURNING channel_account_id, status, delta),
          s AS (SELECT channel_account_id, status, sum(delta) AS n FROM d GROUP BY 1, 2)
     INSERT INTO order_status_counts (channel_account_id, status, n) SELECT channel_account_id, status, n FROM s
     ON CONFLICT (channel_account_id, status) DO UPDATE SET n = order_status_counts.n + excluded.n`,
  );
}
