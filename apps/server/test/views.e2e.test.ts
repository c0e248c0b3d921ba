import { ERROR_MESSAGES, errorMessage, VIEW_NAME_MAX, VIEW_QUERY_MAX } from '@orderhub/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectRefusedUnwritten, type Res, startTestApp, type TestApp } from './helpers.ts';

let t: TestApp;
/** A second customer-service user (same role as customer_service-user), by API token. */
let kefu2: string;

beforeAll(async () => {
  t = await startTestApp();
  const user = await t.as('admin').post('/api/users', {
    username: 'kefu02',
    displayName: '客服小李',
    role: 'customer_service',
    password: 'kefu02-password-123',
  });
  expect(user.status).toBe(201);
  const token = await t.as('admin').post('/api/tokens', { name: 'views', username: 'kefu02' });
  expect(token.status).toBe(201);
  kefu2 = token.body.token;
});
afterAll(async () => {
  await t?.close();
});

const TABLES = ['saved_views', 'saved_view_defaults', 'audit_log'];
const asKefu2 = (method: string, url: string, body?: unknown): Promise<Res> =>
  t.request(method, url, { token: kefu2, ...(body === undefined ? {} : { body }) });
const put = (role: Parameters<TestApp['as']>[0], url: string, body: unknown) =>
  t.request('PUT', url, { as: role, body });
const list = async (role: Parameters<TestApp['as']>[0]) => {
  const res = await t.as(role).get('/api/views?page=orders');
  expect(res.status).toBe(200);
  return res.body as {
    items: { id: string; name: string; mine: boolean; isDefault: boolean }[];
    defaultViewId: string | null;
  };
};

describe('saved views over HTTP', () => {
  it('creates, lists, renames and deletes a view of its owner, each audited', async () => {
    const created = await t.as('operations').post('/api/views', {
      page: 'orders',
      name: '  淘宝  待审核 ',
      query: '?channel=taobao&tab=to_review&sort=placed_desc',
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    expect(created.body).toMatchObject({
      page: 'orders',
      name: '淘宝 待审核',
      query: 'channel=taobao&tab=to_review&sort=placed_desc',
      sharedWith: [],
      mine: true,
      isDefault: false,
      version: 1,
      owner: { name: 'operations-user' },
    });
    const id = created.body.id as string;
    expect(id).toMatch(/^viw_/);
    expect((await list('operations')).items.map((v) => v.name)).toContain('淘宝 待审核');

    const renamed = await t.as('operations').patch(`/api/views/${id}`, { name: '淘宝待审', version: 1 });
    expect(renamed.status).toBe(200);
    expect(renamed.body).toMatchObject({ name: '淘宝待审', version: 2, query: created.body.query });
    // A stale version changes nothing.
    await expectRefusedUnwritten(
      t,
      TABLES,
      () => t.as('operations').patch(`/api/views/${id}`, { name: '又一个名字', version: 1 }),
      409,
      'VIEW_VERSION_CONFLICT',
    );
    const refiltered = await t.as('operations').patch(`/api/views/${id}`, { query: 'channel=jd' });
    expect(refiltered.body).toMatchObject({ name: '淘宝待审', query: 'channel=jd', version: 3 });

    const gone = await t.as('operations').delete(`/api/views/${id}`);
    expect(gone.status).toBe(204);
    expect((await list('operations')).items.map((v) => v.id)).not.toContain(id);
    expect((await t.as('operations').delete(`/api/views/${id}`)).body.code).toBe('VIEW_NOT_FOUND');

    const audit = await t.as('admin').get(`/api/audit?entityType=saved_view&entityId=${id}&limit=50`);
    expect(audit.body.items.map((r: { action: string }) => r.action).sort()).toEqual(
      ['view.create', 'view.delete', 'view.update', 'view.update'].sort(),
    );
  });

  it('shows a shared view to every user of that role, marked as not theirs, and to no other role', async () => {
    const created = await t.as('operations').post('/api/views', {
      page: 'orders',
      name: '异常单',
      query: 'tab=exception',
      sharedWith: ['customer_service'],
    });
    expect(created.status).toBe(201);
    const id = created.body.id as string;

    const cs = (await list('customer_service')).items.find((v) => v.id === id);
    expect(cs).toMatchObject({ mine: false, name: '异常单', owner: { name: 'operations-user' } });
    const other = await asKefu2('GET', '/api/views?page=orders');
    expect(other.body.items.map((v: { id: string }) => v.id)).toContain(id);
    for (const role of ['warehouse', 'finance', 'auditor', 'admin'] as const)
      expect(
        (await list(role)).items.map((v) => v.id),
        role,
      ).not.toContain(id);

    // Own views come first, then shared ones.
    const own = await t
      .as('customer_service')
      .post('/api/views', { page: 'orders', name: '我的', query: '' });
    expect(own.status).toBe(201);
    const mine = (await list('customer_service')).items;
    expect(mine[0]).toMatchObject({ id: own.body.id, mine: true });

    // Sharing changes are the owner's, audited with before and after.
    const widened = await put('operations', `/api/views/${id}/sharing`, {
      roles: ['warehouse', 'customer_service', 'warehouse'],
      version: 1,
    });
    expect(widened.status).toBe(200);
    expect(widened.body).toMatchObject({ sharedWith: ['customer_service', 'warehouse'], version: 2 });
    expect((await list('warehouse')).items.map((v) => v.id)).toContain(id);
    const audit = await t
      .as('admin')
      .get(`/api/audit?entityType=saved_view&entityId=${id}&action=view.share`);
    const share = audit.body.items.find((r: { action: string }) => r.action === 'view.share');
    expect(share.summary).toMatchObject({
      sharedWith: { from: ['customer_service'], to: ['customer_service', 'warehouse'] },
    });

    // Back to private: the role no longer sees it.
    const narrowed = await put('operations', `/api/views/${id}/sharing`, { roles: [] });
    expect(narrowed.body.sharedWith).toEqual([]);
    expect((await list('customer_service')).items.map((v) => v.id)).not.toContain(id);
  });

  it('opens the list with a default view (own or shared) and forgets it when the view goes', async () => {
    const shared = await t.as('operations').post('/api/views', {
      page: 'orders',
      name: '待发货',
      query: 'tab=to_ship',
      sharedWith: ['customer_service'],
    });
    const id = shared.body.id as string;
    const set = await put('customer_service', '/api/view-defaults/orders', { viewId: id });
    expect(set.status, JSON.stringify(set.body)).toBe(200);
    expect(set.body.defaultViewId).toBe(id);
    expect(set.body.items.find((v: { id: string }) => v.id === id).isDefault).toBe(true);
    // Per user: another user of the same role keeps none.
    expect((await asKefu2('GET', '/api/views?page=orders')).body.defaultViewId).toBeNull();

    // A view not shared with the caller cannot be his default.
    const private_ = await t
      .as('operations')
      .post('/api/views', { page: 'orders', name: '私有', query: 'channel=jd' });
    await expectRefusedUnwritten(
      t,
      TABLES,
      () => put('customer_service', '/api/view-defaults/orders', { viewId: private_.body.id }),
      404,
      'VIEW_NOT_FOUND',
    );
    expect((await list('customer_service')).defaultViewId).toBe(id);

    // Unshared: it stops being the default of those who lose it.
    await put('operations', `/api/views/${id}/sharing`, { roles: [] });
    expect((await list('customer_service')).defaultViewId).toBeNull();
    await put('operations', `/api/views/${id}/sharing`, { roles: ['customer_service'] });
    expect((await list('customer_service')).defaultViewId).toBeNull();

    // Cleared explicitly; deleted views leave no default behind.
    await put('customer_service', '/api/view-defaults/orders', { viewId: id });
    expect(
      (await put('customer_service', '/api/view-defaults/orders', { viewId: null })).body.defaultViewId,
    ).toBeNull();
    const own = await t
      .as('operations')
      .post('/api/views', { page: 'orders', name: '默认', query: 'tab=to_pay' });
    await put('operations', '/api/view-defaults/orders', { viewId: own.body.id });
    expect((await list('operations')).defaultViewId).toBe(own.body.id);
    await t.as('operations').delete(`/api/views/${own.body.id}`);
    expect((await list('operations')).defaultViewId).toBeNull();
  });

  it('refuses a name the owner already has (case ignored), with the name, and changes nothing', async () => {
    await t.as('finance').post('/api/views', { page: 'orders', name: 'Refunds', query: 'tab=cancelled' });
    const body = await expectRefusedUnwritten(
      t,
      TABLES,
      () => t.as('finance').post('/api/views', { page: 'orders', name: ' refunds ', query: 'channel=jd' }),
      409,
      'VIEW_NAME_TAKEN',
    );
    expect(body.details).toMatchObject({ name: 'refunds' });
    expect(errorMessage(body.code, body.details, 'zh-CN')).toBe('已有名为“refunds”的视图');
    expect(errorMessage(body.code, body.details, 'en-US')).toBe('You already have a view named “refunds”');
    // Renaming onto another own view is refused the same way; another owner may use the name.
    const second = await t.as('finance').post('/api/views', { page: 'orders', name: 'Paid', query: '' });
    await expectRefusedUnwritten(
      t,
      TABLES,
      () => t.as('finance').patch(`/api/views/${second.body.id}`, { name: 'REFUNDS' }),
      409,
      'VIEW_NAME_TAKEN',
    );
    expect(
      (await t.as('auditor').post('/api/views', { page: 'orders', name: 'Refunds', query: '' })).status,
    ).toBe(201);
  });

  it('refuses bad input with a clear code and writes nothing', async () => {
    const post = (body: unknown) => () => t.as('warehouse').post('/api/views', body);
    const base = { page: 'orders', query: 'tab=to_ship' };
    const empty = await expectRefusedUnwritten(
      t,
      TABLES,
      post({ ...base, name: '   ' }),
      422,
      'VIEW_NAME_INVALID',
    );
    expect(empty.details).toMatchObject({ max: VIEW_NAME_MAX });
    await expectRefusedUnwritten(
      t,
      TABLES,
      post({ ...base, name: '长'.repeat(VIEW_NAME_MAX + 1) }),
      422,
      'VIEW_NAME_INVALID',
    );
    expect(
      (await t.as('warehouse').post('/api/views', { ...base, name: '长'.repeat(VIEW_NAME_MAX) })).status,
    ).toBe(201);
    const role = await expectRefusedUnwritten(
      t,
      TABLES,
      post({ ...base, name: 'r', sharedWith: ['customer_service', 'boss'] }),
      422,
      'VIEW_ROLE_UNKNOWN',
    );
    expect(role.details).toEqual({ role: 'boss' });
    const key = await expectRefusedUnwritten(
      t,
      TABLES,
      post({ ...base, name: 'k', query: 'tab=to_ship&foo=1' }),
      422,
      'VIEW_FILTER_UNKNOWN',
    );
    expect(key.details).toEqual({ key: 'foo' });
    expect(errorMessage(key.code, key.details, 'zh-CN')).toContain('foo');
    await expectRefusedUnwritten(
      t,
      TABLES,
      post({ ...base, name: 'p', query: 'phone=1234' }),
      422,
      'VIEW_FILTER_PERSONAL',
    );
    await expectRefusedUnwritten(
      t,
      TABLES,
      post({ ...base, name: 'l', query: `sku=${'A'.repeat(VIEW_QUERY_MAX)}` }),
      422,
      'VIEW_QUERY_TOO_LONG',
    );
    await expectRefusedUnwritten(
      t,
      TABLES,
      post({ ...base, name: 'x', page: 'customers' }),
      400,
      'VALIDATION_FAILED',
    );
    // Every refusal reads in both languages.
    for (const code of [
      'VIEW_NAME_INVALID',
      'VIEW_ROLE_UNKNOWN',
      'VIEW_FILTER_UNKNOWN',
      'VIEW_NOT_OWNER',
    ] as const) {
      expect(ERROR_MESSAGES[code].zh).toBeTruthy();
      expect(ERROR_MESSAGES[code].en).toBeTruthy();
    }
  });

  it('refuses another user’s view: unseen ones are not found, shared ones are the owner’s to change', async () => {
    const view = await t.as('operations').post('/api/views', {
      page: 'orders',
      name: '共享给客服',
      query: 'tab=to_review',
      sharedWith: ['customer_service'],
    });
    const id = view.body.id as string;
    const notOwner = await expectRefusedUnwritten(
      t,
      TABLES,
      () => t.as('customer_service').patch(`/api/views/${id}`, { name: '改名' }),
      403,
      'VIEW_NOT_OWNER',
    );
    expect(notOwner.details).toMatchObject({ owner: 'operations-user' });
    expect(errorMessage(notOwner.code, notOwner.details, 'zh-CN')).toBe(
      '这个视图属于operations-user，只有创建者可以修改',
    );
    await expectRefusedUnwritten(
      t,
      TABLES,
      () => put('customer_service', `/api/views/${id}/sharing`, { roles: ['customer_service', 'warehouse'] }),
      403,
      'VIEW_NOT_OWNER',
    );
    await expectRefusedUnwritten(
      t,
      TABLES,
      () => t.as('customer_service').delete(`/api/views/${id}`),
      403,
      'VIEW_NOT_OWNER',
    );
    for (const role of ['warehouse', 'finance'] as const) {
      await expectRefusedUnwritten(
        t,
        TABLES,
        () => t.as(role).patch(`/api/views/${id}`, { name: 'x' }),
        404,
        'VIEW_NOT_FOUND',
      );
      await expectRefusedUnwritten(
        t,
        TABLES,
        () => t.as(role).delete(`/api/views/${id}`),
        404,
        'VIEW_NOT_FOUND',
      );
    }
    // An administrator may delete anyone's view, seen or not.
    const hidden = await t.as('operations').post('/api/views', { page: 'orders', name: '仅自己', query: '' });
    expect((await t.as('admin').patch(`/api/views/${hidden.body.id}`, { name: 'x' })).body.code).toBe(
      'VIEW_NOT_FOUND',
    );
    expect((await t.as('admin').delete(`/api/views/${hidden.body.id}`)).status).toBe(204);
    expect((await t.as('admin').delete(`/api/views/${id}`)).status).toBe(204);
    expect((await list('customer_service')).items.map((v) => v.id)).not.toContain(id);
  });
});
