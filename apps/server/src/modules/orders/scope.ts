import { inArray, type SQL, sql } from 'drizzle-orm';
import { type Actor, scopedAccounts } from '../../platform/actor.ts';
import type { SqlExecutor } from '../../platform/db.ts';
import { DomainError } from '../../platform/errors.ts';
import { orders } from './schema.ts';

type Scoped = Pick<Actor, 'scope'> | null | undefined;

/**
 * The one condition that limits orders to the actor's shops (data scope), or null when the actor
 * sees every shop. Every order read that serves a person goes through it or `orderScopeText`.
 */
export function orderScopeWhere(actor: Scoped): SQL | null {
  const accounts = scopedAccounts(actor);
  if (!accounts) return null;
  return accounts.length ? inArray(orders.channelAccountId, [...accounts]) : sql`false`;
}

/**
 * The same condition for a raw SQL statement: `<alias>.channel_account_id = ANY($n)`, the list
 * pushed on `params`; '' when the actor sees every shop (append with AND).
 */
export function orderScopeText(actor: Scoped, params: unknown[], alias = 'o'): string {
  const accounts = scopedAccounts(actor);
  if (!accounts) return '';
  return ` AND ${alias ? `${alias}.` : ''}channel_account_id = ANY($${params.push([...accounts])}::text[])`;
}

/**
 * Refuses, as if it did not exist (404, never 403: a scoped user learns nothing of other shops),
 * an order outside the actor's scope. Guards every /api/orders/:id route, reads and writes.
 */
export async function requireOrderInScope(exec: SqlExecutor, actor: Scoped, id: string): Promise<void> {
  const accounts = scopedAccounts(actor);
  if (!accounts) return;
  const rows = await exec.query<{ ok: boolean }>(
    `SELECT true AS ok FROM orders WHERE id = $1 AND channel_account_id = ANY($2::text[])`,
    [id, [...accounts]],
  );
  if (!rows[0]) throw new DomainError('ORDER_NOT_FOUND', `no order ${id}`);
}

/** Whether the order's shop is in the actor's scope (for lists built from other modules' rows). */
export function accountInScope(actor: Scoped, channelAccountId: string): boolean {
  const accounts = scopedAccounts(actor);
  return !accounts || accounts.includes(channelAccountId);
}

/**
 * Rows of another module that name an order (payments, refund reviews), kept only where the order
 * is in the actor's scope; everything when the actor sees every shop.
 */
export async function keepOrdersInScope<T>(
  exec: SqlExecutor,
  actor: Scoped,
  rows: readonly T[],
  orderIdOf: (row: T) => string | null | undefined,
): Promise<T[]> {
  const accounts = scopedAccounts(actor);
  if (!accounts) return [...rows];
  const ids = [...new Set(rows.map(orderIdOf).filter((id): id is string => !!id))];
  const inScope = ids.length
    ? new Set(
        (
          await exec.query<{ id: string }>(
            `SELECT id FROM orders WHERE id = ANY($1::text[]) AND channel_account_id = ANY($2::text[])`,
            [ids, [...accounts]],
          )
        ).map((r) => r.id),
      )
    : new Set<string>();
  // A row tied to no order (a payment notice that matched none) belongs to no shop: not shown.
  return rows.filter((r) => {
    const id = orderIdOf(r);
    return !!id && inScope.has(id);
  });
}
