import { monotonicFactory } from 'ulidx';

const ulid = monotonicFactory();

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
} as const;

export function newId(kind: keyof typeof ID_PREFIXES): string {
  return `${ID_PREFIXES[kind]}_${ulid().toLowerCase()}`;
}
