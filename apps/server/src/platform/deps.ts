import type { TransitionEffect } from '../modules/orders/transition.ts';
import type { Clock } from './clock.ts';
import type { Config } from './config.ts';
import type { FieldCrypto } from './crypto.ts';
import type { Database } from './db.ts';
import type { Jobs } from './jobs.ts';
import type { Logger } from './log.ts';

/** What use cases and routes need from the platform; built once in main.ts. */
export interface Deps {
  config: Config;
  database: Database;
  jobs: Jobs;
  crypto: FieldCrypto;
  clock: Clock;
  log: Logger;
  /** Run inside every order transition's transaction, in order (see TransitionEffect). */
  orderEffects: TransitionEffect[];
}
