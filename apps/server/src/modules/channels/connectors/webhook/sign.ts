import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * The generic signed webhook (docs/channels-webhook.md): `X-Orderhub-Signature: sha256=<hex>`
 * where hex is HMAC-SHA256(secret, `<timestamp>.` + raw body bytes), and `X-Orderhub-Timestamp`
 * is Unix seconds. The timestamp is inside the signed text, so an old delivery cannot be
 * replayed under a fresh timestamp.
 */
export const SIGNATURE_HEADER = 'x-orderhub-signature';
export const TIMESTAMP_HEADER = 'x-orderhub-timestamp';
export const EVENT_ID_HEADER = 'x-orderhub-event-id';
export const TOPIC_HEADER = 'x-orderhub-topic';

export function signWebhook(secret: string, timestamp: string | number, body: Buffer | string): string {
  const mac = createHmac('sha256', secret);
  mac.update(`${timestamp}.`);
  mac.update(body);
  return `sha256=${mac.digest('hex')}`;
}

/** Constant-time comparison of a received signature header with the expected one. */
export function signatureMatches(secret: string, timestamp: string, body: Buffer, received: string): boolean {
  const expected = Buffer.from(signWebhook(secret, timestamp, body));
  const got = Buffer.from(received.trim());
  return got.length === expected.length && timingSafeEqual(got, expected);
}
