import { describe, expect, it } from 'vitest';
import { loadConfig } from '../src/platform/config.ts';

describe('configuration', () => {
  it('has defaults for a first start', () => {
    const c = loadConfig({});
    expect(c).toMatchObject({
      port: 3000,
      host: '127.0.0.1',
      tzDefault: 'Asia/Shanghai',
      trustProxy: 'loopback',
      workers: true,
      retiredKeys: [],
    });
    expect(c.dataDir.endsWith('/data')).toBe(true);
  });

  it('names the bad setting', () => {
    expect(() => loadConfig({ PORT: 'eighty' })).toThrow(/PORT/);
    expect(() => loadConfig({ TZ_DEFAULT: 'Mars/Olympus' })).toThrow(/TZ_DEFAULT/);
    expect(() => loadConfig({ DATABASE_URL: 'mysql://x' })).toThrow(/DATABASE_URL/);
    expect(() => loadConfig({ ORDERHUB_WORKERS: 'maybe' })).toThrow(/ORDERHUB_WORKERS/);
    expect(() => loadConfig({ ORDERHUB_TRUST_PROXY: 'evil; rm -rf' })).toThrow(/ORDERHUB_TRUST_PROXY/);
  });

  it('reads proxy trust and retired keys', () => {
    expect(loadConfig({ ORDERHUB_TRUST_PROXY: 'false' }).trustProxy).toBe(false);
    expect(loadConfig({ ORDERHUB_TRUST_PROXY: '10.0.0.0/8, 127.0.0.1' }).trustProxy).toBe(
      '10.0.0.0/8, 127.0.0.1',
    );
    expect(loadConfig({ ORDERHUB_RETIRED_KEYS: 'a, b,' }).retiredKeys).toEqual(['a', 'b']);
  });
});
