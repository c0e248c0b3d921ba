import type { OrderDetailView } from '@orderhub/contracts';
import { asc, eq } from 'drizzle-orm';
import type { Actor } from '../../platform/actor.ts';
import type { FieldCrypto } from '../../platform/crypto.ts';
import type { Db } from '../../platform/db.ts';
import { DomainError } from '../../platform/errors.ts';
import { channelAccounts } from '../channels/schema.ts';
import { orderLines, orders, orderTimeline } from './schema.ts';
import { lineView, nextEvents, orderView } from './view.ts';

export async function getOrderDetail(
  db: Db,
  crypto: FieldCrypto,
  actor: Actor,
  id: string,
  reveal: boolean,
): Promise<OrderDetailView> {
  const found = await db
    .select({ o: orders, code: channelAccounts.code, channel: channelAccounts.channel })
    .from(orders)
    .innerJoin(channelAccounts, eq(channelAccounts.id, orders.channelAccountId))
    .where(eq(orders.id, id));
  const row = found[0];
  if (!row) throw new DomainError('ORDER_NOT_FOUND', `no order ${id}`);
  const [lines, timeline] = await Promise.all([
    db.select().from(orderLines).where(eq(orderLines.orderId, id)).orderBy(asc(orderLines.lineNo)),
    db
      .select()
      .from(orderTimeline)
      .where(eq(orderTimeline.orderId, id))
      .orderBy(asc(orderTimeline.at), asc(orderTimeline.id)),
  ]);
  return {
    ...orderView(row.o, { code: row.code, channel: row.channel }, crypto, reveal, actor),
    lines: lines.map((l) => lineView(l, actor)),
    timeline: timeline.map((t) => ({
      id: t.id,
      at: t.at.toISOString(),
      event: t.event,
      fromStatus: t.fromStatus,
      toStatus: t.toStatus,
      actorType: t.actorType,
      actorId: t.actorId,
      actorName: t.actorName,
      ip: t.ip,
      source: t.source,
      reasonCode: t.reasonCode,
      note: t.note,
      details: t.details ?? null,
    })),
    nextEvents: nextEvents(row.o, lines, actor),
  };
}

export async function getOrderRow(db: Db, id: string) {
  const rows = await db.select().from(orders).where(eq(orders.id, id));
  if (!rows[0]) throw new DomainError('ORDER_NOT_FOUND', `no order ${id}`);
  return rows[0];
}
