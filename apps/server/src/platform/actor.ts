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
