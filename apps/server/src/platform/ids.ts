import { randomFillSync } from 'node:crypto';
import { monotonicFactory } from 'ulidx';

/**
 * ulidx asks its random source once per character; the default source makes a crypto call each
 * time. This one draws the same cryptographic bytes a page at a time. A byte / 256 times 32 (the
 * alphabet) picks each character with equal chance.
 */
const pool = new Uint8Array(4096);
let next = pool.length;
function pooledRandom(): number {
  if (next === pool.length) {
    randomFillSync(pool);
    next = 0;
  }
  return pool[next++]! / 256;
}

const ulid = monotonicFactory(pooledRandom);

/** A lower-case ULID: time-sortable, 80 random bits, monotonic within a millisecond. */
export function newUlid(): string {
  return ulid().toLowerCase();
}

/** Prefixed, time-sortable ids: `ord_01JH…`. The prefix tells what an id names in logs and URLs. */
export const ID_PREFIXES = {
  order: 'ord',
  orderLine: 'oln',
  timeline: 'tle',
  audit: 'aud',
  user: 'usr',
  session: 'ses',
  token: 'tok',
  channelAccount: 'cha',
  rawPayload: 'raw',
  sku: 'sku',
  warehouse: 'whs',
  movement: 'mov',
  reservation: 'rsv',
  freeze: 'frz',
  transfer: 'trf',
  count: 'cnt',
  alert: 'alr',
  inboxMessage: 'inb',
  backfill: 'bkf',
  channelAlert: 'cal',
  refundReview: 'rfr',
  savedView: 'viw',
  receiverHistory: 'rch',
} as const;

export function newId(kind: keyof typeof ID_PREFIXES): string {
  return `${ID_PREFIXES[kind]}_${newUlid()}`;
}
