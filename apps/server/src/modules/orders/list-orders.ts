import type { OrderListQuery, OrderView } from '@orderhub/contracts';
import { and, asc, desc, eq, gte, inArray, isNotNull, lt, or, type SQL, sql } from 'drizzle-orm';
import type { Actor } from '../../platform/actor.ts';
import type { FieldCrypto } from '../../platform/crypto.ts';
import { decodeCursor, encodeCursor } from '../../platform/cursor.ts';
import type { DbReader } from '../../platform/db.ts';
import { DomainError } from '../../platform/errors.ts';
import { localDayRange, parseInstant } from '../../platform/time.ts';
import { accountIdsWhere, accountsByIds } from '../channels/index.ts';
import { phoneIndex } from './normalise.ts';
import { orderLines, orders } from './schema.ts';
import { orderView } from './view.ts';

const SORT_COLUMNS = {
  placedAt: orders.placedAt,
  paidAt: orders.paidAt,
  updatedAt: orders.updatedAt,
} as const;

/**
 * The order list: every filter is a bound parameter, day filters are instant ranges in the asked
 * zone, paging is keyset on (sort column, id) so page 500 costs what page 1 does.
 */
export async function listOrders(
  exec: DbReader,
  crypto: FieldCrypto,
  q: OrderListQuery,
  tzDefault: string,
  reader: Pick<Actor, 'type' | 'permissions'>,
): Promise<{ items: OrderView[]; nextCursor: string | null }> {
  const where: SQL[] = [];
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
  // One box for every number a person may have: ours, the channel's, or the API id (all indexed).
  if (q.orderNo)
    where.push(
      or(eq(orders.orderNo, q.orderNo), eq(orders.externalOrderId, q.orderNo), eq(orders.id, q.orderNo))!,
    );
  if (q.sku) {
    where.push(
      sql`EXISTS (SELECT 1 FROM ${orderLines} WHERE ${orderLines.orderId} = ${orders.id} AND (${orderLines.sku} = ${q.sku} OR ${orderLines.channelSku} = ${q.sku}))`,
    );
  }
  if (q.phone) {
    const idx = phoneIndex(crypto, q.phone);
    if (!idx)
      throw new DomainError(
        'PHONE_INVALID',
        `"${q.phone}" is not a complete phone number; masked numbers cannot be searched`,
      );
    where.push(eq(orders.receiverPhoneIdx, idx));
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
  return {
    items: page.map((o) => {
      const a = accounts.get(o.channelAccountId)!;
      return orderView(o, { code: a.code, channel: a.channel }, crypto, false, reader);
    }),
    nextCursor:
      rows.length > limit && last && lastKey ? encodeCursor([lastKey.toISOString(), last.id]) : null,
  };
}
