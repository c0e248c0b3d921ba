import {
  ADJUSTMENT_REASONS,
  CANCEL_REASONS,
  FREEZE_REASONS,
  FREEZE_RELEASE_REASONS,
  HOLD_REASONS,
} from '@orderhub/contracts';
import fc from 'fast-check';
import { sampleOrder, type TestApp } from '../helpers.ts';
import type { World } from './request.ts';

const SKUS = ['TEA-SET-01', 'CUP-02', 'FUZZ-03'];
const WAREHOUSES = ['WH-HZ', 'WH-SZ'];
const ACCOUNTS = ['default', 'tmall-flagship'];

/**
 * A few rows of everything, so that requests can name real ids and codes: the documented
 * examples' SKUs and warehouses with stock, orders, a second shop, users and tokens that are not
 * the ones the suite sends its requests with (revoking those would silence a role), a count sheet,
 * a freeze and a transfer. A seed step the API refuses is skipped: the fuzz still runs.
 */
export async function seedWorld(t: TestApp, roles: readonly string[]): Promise<World> {
  const ids = new Map<string, string[]>();
  const externalIds: string[] = [];
  const cursors: string[] = [];
  const skipped: string[] = [];
  const add = (collection: string, id: unknown) => {
    if (typeof id !== 'string') return;
    ids.set(collection, [...(ids.get(collection) ?? []), id]);
  };
  const call = async (role: string, method: string, url: string, body: unknown, collection?: string) => {
    const res = await t.request(method, url, { as: role as 'admin', body });
    if (res.status >= 300) {
      skipped.push(`${method} ${url} → ${res.status} ${res.body?.code ?? ''}`);
      return undefined;
    }
    if (collection) add(collection, res.body?.id ?? res.body?.order?.id);
    return res.body;
  };

  for (const code of WAREHOUSES)
    await call('admin', 'POST', '/api/warehouses', { code, name: code, priority: 0 }, 'warehouses');
  for (const code of SKUS)
    await call('admin', 'POST', '/api/skus', { code, name: `Goods ${code}`, category: 'test' }, 'skus');
  for (const warehouse of WAREHOUSES)
    await call('warehouse', 'POST', '/api/inventory/receipts', {
      warehouse,
      lines: SKUS.map((sku) => ({ sku, quantity: 1000 })),
    });
  await call(
    'admin',
    'POST',
    '/api/channel-accounts',
    { code: ACCOUNTS[1], name: '天猫旗舰店', channel: 'tmall' },
    'channel-accounts',
  );
  for (const a of (await call('admin', 'GET', '/api/channel-accounts', undefined))?.items ?? [])
    if (a.code === 'default') add('channel-accounts', a.id);
  for (let i = 0; i < 4; i++) {
    const order = sampleOrder({
      lines: [{ channelSku: SKUS[i % 2]!, sku: SKUS[i % 2]!, quantity: 1, unitPrice: 1000 }],
      discount: 0,
      total: 1000,
    });
    externalIds.push(order.externalOrderId);
    await call('operations', 'POST', '/api/orders', order, 'orders');
  }
  for (let i = 1; i <= 2; i++) {
    await call(
      'admin',
      'POST',
      '/api/users',
      { username: `fuzz-user-${i}`, role: 'customer_service', password: `fuzz-password-${i}-long` },
      'users',
    );
    await call('admin', 'POST', '/api/tokens', { name: `fuzz-${i}` }, 'tokens');
  }
  const sheet = Buffer.from(`sku,warehouse,counted\n${SKUS[0]},${WAREHOUSES[0]},1000\n`).toString('base64');
  await call(
    'warehouse',
    'POST',
    '/api/inventory/counts:preview',
    { format: 'csv', content: sheet },
    'counts',
  );
  await call(
    'warehouse',
    'POST',
    '/api/inventory/freezes',
    { sku: SKUS[0], warehouse: WAREHOUSES[0], quantity: 1, reasonCode: 'MANUAL' },
    'freezes',
  );
  await call(
    'warehouse',
    'POST',
    '/api/inventory/transfers',
    { from: WAREHOUSES[0], to: WAREHOUSES[1], lines: [{ sku: SKUS[1], quantity: 1 }] },
    'transfers',
  );
  if (skipped.length) console.warn(`fuzz: seed steps the API refused:\n  ${skipped.join('\n  ')}`);

  const sheetRows = fc
    .array(fc.tuple(fc.constantFrom(...SKUS), fc.constantFrom(...WAREHOUSES), fc.nat({ max: 2000 })), {
      minLength: 1,
      maxLength: 5,
    })
    .map((rows) =>
      Buffer.from(`sku,warehouse,counted\n${rows.map((r) => r.join(',')).join('\n')}\n`).toString('base64'),
    );
  const reasons = [
    ...HOLD_REASONS,
    ...CANCEL_REASONS,
    ...ADJUSTMENT_REASONS,
    ...FREEZE_REASONS,
    ...FREEZE_RELEASE_REASONS,
  ];
  const values = new Map<string, fc.Arbitrary<unknown>>([
    ['sku', fc.constantFrom(...SKUS)],
    ['channelSku', fc.constantFrom(...SKUS)],
    ['warehouse', fc.constantFrom(...WAREHOUSES)],
    ['from', fc.constantFrom(...WAREHOUSES)],
    ['to', fc.constantFrom(...WAREHOUSES)],
    ['channelAccount', fc.constantFrom(...ACCOUNTS)],
    ['account', fc.constantFrom(...ACCOUNTS)],
    ['currency', fc.constant('CNY')],
    ['version', fc.integer({ min: 1, max: 4 })],
    ['externalOrderId', fc.constantFrom(...externalIds, 'FUZZ-NEW-1', 'FUZZ-NEW-2')],
    ['reasonCode', fc.constantFrom(...reasons)],
    ['phone', fc.constantFrom('13812345678', '+8613812345678', '138****5678')],
    ['content', sheetRows],
    ['username', fc.constantFrom('fuzz-user-1', 'fuzz-user-2', 'admin')],
    ['tz', fc.constantFrom('Asia/Shanghai', 'UTC', 'America/New_York', 'Asia/Kolkata')],
    // Cursors are opaque: the ones list answers handed out (see harvest), or none yet.
    ['cursor', fc.nat().map((i) => cursors[i % cursors.length] ?? '')],
  ]);
  return { roles, ids, values, cursors };
}
