import { type Actor, scopedAccounts } from '../../platform/actor.ts';

type Scoped = Pick<Actor, 'scope'> | null | undefined;

/**
 * Data scopes for channel reads, in one place: whether an account (by id) is the actor's to see.
 * An actor without a scope sees every account.
 */
export function accountVisible(actor: Scoped, accountId: string | null | undefined): boolean {
  const ids = scopedAccounts(actor);
  return !ids || (!!accountId && ids.includes(accountId));
}

/**
 * Rows tied to an account, kept where the actor may see it; rows of no account (platform-wide
 * interface drift) are kept, they belong to no shop.
 */
export function keepVisible<T>(actor: Scoped, rows: readonly T[], accountOf: (row: T) => string | null): T[] {
  if (!scopedAccounts(actor)) return [...rows];
  return rows.filter((r) => {
    const id = accountOf(r);
    return id === null || accountVisible(actor, id);
  });
}
