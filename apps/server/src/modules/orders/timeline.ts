import { type Actor, actorLabel } from '../../platform/actor.ts';
import type { SqlExecutor } from '../../platform/db.ts';
import { newId } from '../../platform/ids.ts';

export interface TimelineEntry {
  orderId: string;
  event: string;
  fromStatus: string | null;
  toStatus: string | null;
  reasonCode?: string | null;
  note?: string | null;
  details?: unknown;
}

/** Appends to the order's history in the caller's transaction. Nothing ever updates or deletes it. */
export async function appendTimeline(
  tx: SqlExecutor,
  at: Date,
  actor: Actor,
  e: TimelineEntry,
): Promise<void> {
  await tx.query(
    `INSERT INTO order_timeline (id, order_id, at, event, from_status, to_status, actor_type, actor_id, actor_name, ip, source, reason_code, note, details)
     VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14)`,
    [
      newId('timeline'),
      e.orderId,
      at,
      e.event,
      e.fromStatus,
      e.toStatus,
      actor.type,
      actor.id,
      actorLabel(actor),
      actor.ip,
      actor.source,
      e.reasonCode ?? null,
      e.note ?? null,
      e.details === undefined ? null : JSON.stringify(e.details),
    ],
  );
}
