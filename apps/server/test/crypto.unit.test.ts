import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createFieldCrypto, loadMasterKey } from '../src/platform/crypto.ts';
import { maskAddress, maskName, maskPhone, normalisePhone } from '../src/platform/pii.ts';

describe('field encryption', () => {
  const crypto = createFieldCrypto(randomBytes(32));

  it('round-trips, with a fresh IV each time and the key id in the ciphertext', () => {
    const a = crypto.encrypt('+8613812345678');
    const b = crypto.encrypt('+8613812345678');
    expect(a).not.toBe(b);
    expect(a.split('.')[1]).toBe(crypto.keyId);
    expect(a).not.toContain('13812345678');
    expect(crypto.decrypt(a)).toBe('+8613812345678');
  });

  it('detects tampering', () => {
    const sealed = crypto.encrypt('张三');
    const parts = sealed.split('.');
    const ct = Buffer.from(parts[3]!, 'base64url');
    ct[0] = (ct[0] ?? 0) ^ 1;
    parts[3] = ct.toString('base64url');
    expect(() => crypto.decrypt(parts.join('.'))).toThrow();
  });

  it('reads data sealed under a retired key, and refuses an unknown one', () => {
    const oldKey = randomBytes(32);
    const sealedOld = createFieldCrypto(oldKey).encrypt('old');
    expect(createFieldCrypto(randomBytes(32), [oldKey]).decrypt(sealedOld)).toBe('old');
    expect(() => createFieldCrypto(randomBytes(32)).decrypt(sealedOld)).toThrow(/no key with id/);
  });

  it('blind indexes are deterministic per key and purpose', () => {
    expect(crypto.blindIndex('p', 'x')).toBe(crypto.blindIndex('p', 'x'));
    expect(crypto.blindIndex('p', 'x')).not.toBe(crypto.blindIndex('q', 'x'));
    expect(createFieldCrypto(randomBytes(32)).blindIndex('p', 'x')).not.toBe(crypto.blindIndex('p', 'x'));
  });

  it('creates a 0600 key file once and refuses a readable one', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ohkey-'));
    const k1 = loadMasterKey(undefined, dir);
    expect(fs.statSync(path.join(dir, 'master.key')).mode & 0o777).toBe(0o600);
    expect(loadMasterKey(undefined, dir).equals(k1)).toBe(true);
    fs.chmodSync(path.join(dir, 'master.key'), 0o644);
    expect(() => loadMasterKey(undefined, dir)).toThrow(/chmod 600/);
    expect(() => loadMasterKey('too-short', dir)).toThrow(/32 bytes/);
  });
});

describe('phones and masks', () => {
  it('writes one customer’s phone three ways as one E.164 number', () => {
    for (const written of ['13812345678', '138-1234-5678', '+86 138 1234 5678', '(+86) 138 1234 5678']) {
      expect(normalisePhone(written)).toEqual({ value: '+8613812345678', e164: true });
    }
  });

  it('keeps platform-masked numbers as given and refuses nonsense', () => {
    expect(normalisePhone('138****1234')).toEqual({ value: '138****1234', e164: false });
    expect(normalisePhone('12345')).toBeNull();
    expect(normalisePhone('not a phone')).toBeNull();
  });

  it('masks for display', () => {
    expect(maskPhone('+8613812345678')).toBe('138****5678');
    expect(maskName('张三丰')).toBe('张**');
    expect(maskName('李')).toBe('李*');
    expect(maskAddress('文三路 100 号 3 单元 501')).toBe('文三路 ****');
  });
});
