import type { Permission, Role } from '@orderhub/contracts';

/**
 * Who is acting and from where. Every use case takes one; it ends up on the timeline and in the
 * audit log. `source` says through which door the change came.
 */
export interface Actor {
  type: 'user' | 'token' | 'system';
  /** The user's id (also for tokens: the token acts as its user). */
  id: string | null;
  name: string;
  role: Role | null;
  tokenId?: string;
  permissions: ReadonlySet<Permission>;
  ip: string | null;
  userAgent: string | null;
  source: 'console' | 'api' | 'cli' | 'job' | 'channel' | 'system';
  /** The data this actor may see; absent or null lists mean everything (docs/security.md, data scopes). */
  scope?: DataScope;
}

/**
 * A user's data scope: the channel account ids and the warehouse ids they may see, `null` for all.
 * Tokens carry their user's scope. Each module filters its reads with one helper of its own.
 */
export interface DataScope {
  accounts: readonly string[] | null;
  warehouses: readonly string[] | null;
}

/** The channel account ids the actor is limited to, or null when not limited. */
export function scopedAccounts(actor: Pick<Actor, 'scope'> | null | undefined): readonly string[] | null {
  return actor?.scope?.accounts ?? null;
}

/** The warehouse ids the actor is limited to, or null when not limited. */
export function scopedWarehouses(actor: Pick<Actor, 'scope'> | null | undefined): readonly string[] | null {
  return actor?.scope?.warehouses ?? null;
}

export function systemActor(name: string, source: Actor['source'] = 'system'): Actor {
  return {
    type: 'system',
    id: null,
    name,
    role: null,
    permissions: new Set(),
    ip: null,
    userAgent: null,
    source,
  };
}

/** How an actor is named on the timeline, in the audit log and in the ledger: a token says so. */
export function actorLabel(actor: Pick<Actor, 'name' | 'tokenId'>): string {
  return actor.tokenId ? `${actor.name} (token ${actor.tokenId})` : actor.name;
}
