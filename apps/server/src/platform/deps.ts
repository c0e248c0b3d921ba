import type { Clock } from './clock.ts';
import type { Config } from './config.ts';
import type { FieldCrypto } from './crypto.ts';
import type { Database } from './db.ts';
import type { Jobs } from './jobs.ts';
import type { Logger } from './log.ts';

/**
 * What one module contributes to another's use cases, by hook name. The module that runs a hook
 * declares it by augmenting this interface (e.g. orders: `orderTransition`), so the platform names
 * no module and a contributor gets the hook's type.
 */
// biome-ignore lint/suspicious/noEmptyInterface: filled by declaration merging in the modules.
export interface Hooks {}

/** Every contribution to each hook, in module order. */
export type HookLists = { [K in keyof Hooks]?: Hooks[K][] };

/** Each module's settings, read once at wiring time; modules augment this interface with theirs. */
// biome-ignore lint/suspicious/noEmptyInterface: filled by declaration merging in the modules.
export interface ModuleSettings {}

/** What use cases and routes need from the platform; built once in app.ts. */
export interface Deps {
  config: Config;
  database: Database;
  jobs: Jobs;
  crypto: FieldCrypto;
  clock: Clock;
  log: Logger;
  /** Contributions to hooks (see Hooks), composed from the module descriptors. */
  hooks: HookLists;
  /** Module settings (see ModuleSettings); a module falls back to its defaults when absent. */
  settings: Partial<ModuleSettings>;
}

/** The contributions to one hook (none when no module contributed). */
export function hooksOf<K extends keyof Hooks>(deps: Pick<Deps, 'hooks'>, name: K): readonly Hooks[K][] {
  return deps.hooks[name] ?? [];
}

/** Appends one module's contributions to the lists, keeping module order. */
export function addHooks(into: HookLists, contributed: HookLists): void {
  const lists = into as Record<string, unknown[] | undefined>;
  for (const [name, items] of Object.entries(contributed as Record<string, unknown[] | undefined>)) {
    if (!items?.length) continue;
    lists[name] = [...(lists[name] ?? []), ...items];
  }
}
