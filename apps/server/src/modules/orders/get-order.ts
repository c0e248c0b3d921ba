import type { OrderDetailView, OrderEvent } from '@orderhub/contracts';
import { asc, eq } from 'drizzle-orm';
import type { Actor } from '../../platform/actor.ts';
import type { FieldCrypto } from '../../platform/crypto.ts';
import type { DbReader } from '../../platform/db.ts';
import { DomainError } from '../../platform/errors.ts';
import { accountsByIds } from '../channels/index.ts';
import { checkGuards, eventsFrom, ORDER_MACHINE } from './machine.ts';
import { orderLines, orders, orderTimeline } from './schema.ts';
import { accountInScope } from './scope.ts';
import type { OrderRow } from './store.ts';
import type { TransitionGuard } from './transition.ts';
import { amountsFor, lineView, nextEvents, orderView } from './view.ts';

/**
 * `guards` are the other modules' transition guards (hook `orderTransitionGuard`): asked for each
 * event the actor may take and the order's own guards allow, so the detail says why an event would
 * be refused (e.g. ORDER_STOCK_NOT_RESERVED) before anyone tries.
 */
export async function getOrderDetail(
  exec: DbReader,
  crypto: FieldCrypto,
  actor: Actor,
  id: string,
  reveal: boolean,
  guards: readonly TransitionGuard[] = [],
): Promise<OrderDetailView> {
  const db = exec.db;
  const found = await db.select().from(orders).where(eq(orders.id, id));
  const o = found[0];
  if (!o || !accountInScope(actor, o.channelAccountId))
    throw new DomainError('ORDER_NOT_FOUND', `no order ${id}`);
  const account = (await accountsByIds(exec, [o.channelAccountId])).get(o.channelAccountId)!;
  const row = { o, code: account.code, channel: account.channel, name: account.name };
  const [lines, timeline] = await Promise.all([
    db.select().from(orderLines).where(eq(orderLines.orderId, id)).orderBy(asc(orderLines.lineNo)),
    db
      .select()
      .from(orderTimeline)
      .where(eq(orderTimeline.orderId, id))
      .orderBy(asc(orderTimeline.at), asc(orderTimeline.id)),
  ]);
  return {
    ...orderView(row.o, { code: row.code, channel: row.channel, name: row.name }, crypto, reveal, actor),
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
      details: amountsFor(actor, t.details ?? null),
    })),
    nextEvents: nextEvents(row.o, lines, actor, await guardRefusals(exec, o, lines, actor, guards)),
  };
}

async function guardRefusals(
  exec: DbReader,
  o: OrderRow,
  lines: Parameters<typeof checkGuards>[1]['lines'],
  actor: Actor,
  guards: readonly TransitionGuard[],
): Promise<Map<OrderEvent, DomainError>> {
  const refusals = new Map<OrderEvent, DomainError>();
  if (guards.length === 0) return refusals;
  for (const event of eventsFrom(o.status)) {
    const spec = ORDER_MACHINE[event];
    if (!actor.permissions.has(spec.permission) || checkGuards(spec, { lines })) continue;
    for (const guard of guards) {
      const refusal = await guard(exec, o, { orderId: o.id, event });
      if (refusal) {
        refusals.set(event, refusal);
        break;
      }
    }
  }
  return refusals;
}

export async function getOrderRow(exec: DbReader, id: string) {
  const rows = await exec.db.select().from(orders).where(eq(orders.id, id));
  if (!rows[0]) throw new DomainError('ORDER_NOT_FOUND', `no order ${id}`);
  return rows[0];
}
