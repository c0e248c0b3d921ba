import { decodeCursor, encodeCursor } from '../../platform/cursor.ts';
import type { SqlExecutor } from '../../platform/db.ts';

export interface AuditQuery {
  actorId?: string | undefined;
  action?: string | undefined;
  entityType?: string | undefined;
  entityId?: string | undefined;
  from?: string | undefined;
  to?: string | undefined;
  limit?: number | undefined;
  cursor?: string | undefined;
}

export interface AuditRow {
  id: string;
  at: string;
  actorType: string;
  actorId: string | null;
  actorName: string | null;
  ip: string | null;
  userAgent: string | null;
  action: string;
  entityType: string;
  entityId: string | null;
  summary: unknown;
}

/** Newest first, keyset-paged on (at, id). */
export async function listAudit(
  exec: SqlExecutor,
  q: AuditQuery,
): Promise<{ items: AuditRow[]; nextCursor: string | null }> {
  const where: string[] = [];
  const params: unknown[] = [];
  const add = (clause: string, value: unknown) => {
    params.push(value);
    where.push(clause.replace('?', `$${params.length}`));
  };
  if (q.actorId) add('actor_id = ?', q.actorId);
  if (q.action) add('action LIKE ?', `${q.action.replace(/[%_\\]/g, '\\$&')}%`);
  if (q.entityType) add('entity_type = ?', q.entityType);
  if (q.entityId) add('entity_id = ?', q.entityId);
  if (q.from) add('at >= ?', new Date(q.from));
  if (q.to) add('at < ?', new Date(q.to));
  if (q.cursor) {
    const [at, id] = decodeCursor(q.cursor, ['instant', 'id']);
    params.push(new Date(at!), id);
    where.push(`(at, id) < ($${params.length - 1}, $${params.length})`);
  }
  const limit = q.limit ?? 50;
  params.push(limit + 1);
  const rows = await exec.query<Record<string, unknown>>(
    `SELECT id, at, actor_type, actor_id, actor_name, ip, user_agent, action, entity_type, entity_id, summary
       FROM audit_log ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
      ORDER BY at DESC, id DESC LIMIT $${params.length}`,
    params,
  );
  const items = rows.slice(0, limit).map((r) => ({
    id: r['id'] as string,
    at: new Date(r['at'] as string).toISOString(),
    actorType: r['actor_type'] as string,
    actorId: r['actor_id'] as string | null,
    actorName: r['actor_name'] as string | null,
    ip: r['ip'] as string | null,
    userAgent: r['user_agent'] as string | null,
    action: r['action'] as string,
    entityType: r['entity_type'] as string,
    entityId: r['entity_id'] as string | null,
    summary: r['summary'] ?? null,
  }));
  const last = items.at(-1);
  return { items, nextCursor: rows.length > limit && last ? encodeCursor([last.at, last.id]) : null };
}
