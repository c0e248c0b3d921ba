import { type Actor, actorLabel } from '../../platform/actor.ts';
import type { SqlExecutor } from '../../platform/db.ts';
import { newId } from '../../platform/ids.ts';

export interface AuditEntry {
  action: string;
  entityType: string;
  entityId: string | null;
  summary?: unknown;
}

/**
 * The head of an audit insert, for a use case that writes its audit row inside a single statement
 * of its own (the checkout reservation); the values follow in this column order.
 */
export const AUDIT_INSERT_HEAD =
  'INSERT INTO audit_log (id, at, actor_type, actor_id, actor_name, ip, user_agent, action, entity_type, entity_id, summary)';

/** One audit row, written through the caller's transaction so it exists exactly when the change does. */
export async function recordAudit(tx: SqlExecutor, at: Date, actor: Actor, entry: AuditEntry): Promise<void> {
  await tx.query(
    `${AUDIT_INSERT_HEAD}
     VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11)`,
    [
      newId('audit'),
      at,
      actor.type,
      actor.id,
      actorLabel(actor),
      actor.ip,
      actor.userAgent,
      entry.action,
      entry.entityType,
      entry.entityId,
      entry.summary === undefined ? null : JSON.stringify(entry.summary),
    ],
  );
}
