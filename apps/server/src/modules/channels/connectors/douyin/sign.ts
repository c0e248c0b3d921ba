import { createHash, createHmac } from 'node:crypto';

/** Keys sorted recursively (arrays keep their order), as the Douyin SDK serialises business params. */
export function sortKeysDeep(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeysDeep);
  if (v !== null && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(v).sort()) out[k] = sortKeysDeep((v as Record<string, unknown>)[k]);
    return out;
  }
  return v;
}

/** `param_json`: recursively sorted keys, compact, no HTML escaping; empty params → `{}`. */
export function paramJson(params: Record<string, unknown> | undefined): string {
  return JSON.stringify(sortKeysDeep(params ?? {}));
}

export type DouyinSignMethod = 'md5' | 'hmac-sha256';

/**
 * `app_secret + "app_key" + app_key + "method" + method + "param_json" + param_json + "timestamp" +
 * timestamp + "v" + v + app_secret`, then MD5 or HMAC-SHA256 (key: the app secret), lowercase hex.
 */
export function douyinSign(input: {
  appKey: string;
  appSecret: string;
  method: string;
  paramJson: string;
  timestamp: string;
  v: string;
  signMethod: DouyinSignMethod;
}): string {
  const pattern = `${input.appSecret}app_key${input.appKey}method${input.method}param_json${input.paramJson}timestamp${input.timestamp}v${input.v}${input.appSecret}`;
  return input.signMethod === 'md5'
    ? createHash('md5').update(pattern, 'utf8').digest('hex')
    : createHmac('sha256', input.appSecret).update(pattern, 'utf8').digest('hex');
}

/** Push `event-sign`: MD5(app_key + raw body + app_secret), lowercase hex (HMAC-SHA256 variant: UNCONFIRMED). */
export function douyinPushSign(
  appKey: string,
  appSecret: string,
  body: Buffer,
  method: DouyinSignMethod,
): string {
  const msg = Buffer.concat([Buffer.from(appKey, 'utf8'), body, Buffer.from(appSecret, 'utf8')]);
  return method === 'md5'
    ? createHash('md5').update(msg).digest('hex')
    : createHmac('sha256', appSecret).update(msg).digest('hex');
}
