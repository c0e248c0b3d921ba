import { CHANNELS } from '@orderhub/contracts';
import { type Static, Type } from '@sinclair/typebox';
import type { Actor } from '../../platform/actor.ts';
import type { FieldCrypto } from '../../platform/crypto.ts';
import type { SqlExecutor, Tx } from '../../platform/db.ts';
import { DomainError, isUniqueViolation } from '../../platform/errors.ts';
import { newId } from '../../platform/ids.ts';
import { recordAudit } from '../audit/index.ts';
import type { ChannelCredentials } from './connector.ts';
import { platformOfChannel } from './connectors/index.ts';
import {
  CredentialsInput,
  checkConnectorSettings,
  checkCredentials,
  credentialFields,
  openCredentials,
  sealCredentials,
} from './credentials.ts';

export const ChannelAccountView = Type.Object({
  id: Type.String(),
  code: Type.String(),
  name: Type.String(),
  channel: Type.String(),
  active: Type.Boolean(),
  createdAt: Type.String({ format: 'date-time' }),
  updatedAt: Type.String({ format: 'date-time' }),
  connection: Type.Object({
    connector: Type.Union([Type.String(), Type.Null()], {
      description: 'the platform protocol the account speaks',
    }),
    credentialFields: Type.Array(Type.String(), {
      description: 'names of the credentials on file; their values are never returned',
    }),
    credentialsUpdatedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
    baseUrlSet: Type.Boolean({ description: 'a base URL other than the platform’s own is on file' }),
    syncIntervalSeconds: Type.Integer(),
    connectorSettings: Type.Record(Type.String(), Type.Unknown()),
  }),
});
export type ChannelAccountView = Static<typeof ChannelAccountView>;

const ConnectionFields = {
  credentials: Type.Optional(CredentialsInput),
  baseUrl: Type.Optional(
    Type.String({
      maxLength: 500,
      pattern: '^https?://[^\\s]+$',
      description: 'the platform API base URL (an account may point at a simulator); write-only',
    }),
  ),
  syncIntervalSeconds: Type.Optional(
    Type.Integer({
      minimum: 30,
      maximum: 86400,
      description: 'how often the account is pulled (default 300)',
    }),
  ),
  connectorSettings: Type.Optional(
    Type.Record(
      Type.String({ maxLength: 64 }),
      Type.Union([
        Type.String({ maxLength: 500 }),
        Type.Number(),
        Type.Boolean(),
        Type.Record(Type.String({ minLength: 1, maxLength: 128 }), Type.String({ maxLength: 500 }), {
          maxProperties: 20000,
          description: 'a map such as Shopify inventoryItemIds (channel SKU → inventory item id)',
        }),
      ]),
      {
        maxProperties: 50,
        description: 'per-account connector settings (the platform points the protocol digest leaves open)',
      },
    ),
  ),
};

export const CreateChannelAccountBody = Type.Object(
  {
    code: Type.String({ minLength: 2, maxLength: 64, pattern: '^[A-Za-z0-9_.-]+$' }),
    name: Type.String({ minLength: 1, maxLength: 100 }),
    channel: Type.Union(CHANNELS.map((c) => Type.Literal(c))),
    ...ConnectionFields,
  },
  {
    additionalProperties: false,
    examples: [
      { code: 'tmall-flagship', name: '天猫旗舰店', channel: 'tmall' },
      {
        code: 'mini-shop',
        name: '小程序商城',
        channel: 'wechat_mini',
        credentials: { webhookSecret: 'a-long-random-secret-0123456789' },
        baseUrl: 'https://shop.example.com/orderhub',
        syncIntervalSeconds: 300,
      },
    ],
  },
);
export type CreateChannelAccountBody = Static<typeof CreateChannelAccountBody>;

export const UpdateChannelAccountBody = Type.Object(
  {
    name: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
    active: Type.Optional(Type.Boolean()),
    ...ConnectionFields,
  },
  {
    additionalProperties: false,
    minProperties: 1,
    examples: [
      { name: '天猫旗舰店（新）' },
      { credentials: { accessToken: 'new-session', accessTokenExpiresAt: '2027-01-01T00:00:00Z' } },
    ],
  },
);

export interface ChannelAccount {
  id: string;
  code: string;
  name: string;
  channel: string;
  active: boolean;
}

type Row = {
  id: string;
  code: string;
  name: string;
  channel: string;
  active: boolean;
  created_at: Date | string;
  updated_at: Date | string;
  credentials_enc: string | null;
  credentials_updated_at: Date | string | null;
  base_url: string | null;
  sync_interval_seconds: number;
  connector_settings: Record<string, unknown> | null;
  credential_fields: string[] | null;
};

const view = (r: Row): ChannelAccountView => ({
  id: r.id,
  code: r.code,
  name: r.name,
  channel: r.channel,
  active: r.active,
  createdAt: new Date(r.created_at).toISOString(),
  updatedAt: new Date(r.updated_at).toISOString(),
  connection: {
    connector: platformOfChannel(r.channel),
    credentialFields: r.credential_fields ?? [],
    credentialsUpdatedAt: r.credentials_updated_at ? new Date(r.credentials_updated_at).toISOString() : null,
    baseUrlSet: Boolean(r.base_url),
    syncIntervalSeconds: r.sync_interval_seconds ?? 300,
    connectorSettings: r.connector_settings ?? {},
  },
});

/** The account named by `code`, which must exist and be active to take orders. */
export async function requireActiveAccount(exec: SqlExecutor, code: string): Promise<ChannelAccount> {
  const row = (
    await exec.query<Row & Record<string, unknown>>(`SELECT * FROM channel_accounts WHERE code = $1`, [code])
  )[0];
  if (!row)
    throw new DomainError(
      'CHANNEL_ACCOUNT_UNKNOWN',
      `no channel account "${code}"; create it first (POST /api/channel-accounts)`,
      { channelAccount: code },
    );
  if (!row.active)
    throw new DomainError('CHANNEL_ACCOUNT_INACTIVE', `channel account "${code}" is deactivated`, {
      channelAccount: code,
    });
  return row;
}

/**
 * For another module's single statement (the checkout reservation): an expression that is the
 * `active` flag of the account whose code is the given parameter, null when there is none.
 */
export const accountActiveSql = (codeParam: string): string =>
  `(SELECT active FROM channel_accounts WHERE code = ${codeParam})`;

/** The accounts with these ids (code and channel name the account in views). */
export async function accountsByIds(
  exec: SqlExecutor,
  ids: readonly string[],
): Promise<Map<string, ChannelAccount>> {
  if (ids.length === 0) return new Map();
  const rows = await exec.query<ChannelAccount & Record<string, unknown>>(
    `SELECT id, code, name, channel, active FROM channel_accounts WHERE id = ANY($1::text[])`,
    [[...new Set(ids)]],
  );
  return new Map(rows.map((r) => [r.id, r]));
}

/** Ids of the accounts on any of `channels` and with any of `codes` (a filter left out matches all). */
export async function accountIdsWhere(
  exec: SqlExecutor,
  q: { channels?: readonly string[] | undefined; codes?: readonly string[] | undefined },
): Promise<string[]> {
  const params: unknown[] = [];
  const where: string[] = [];
  if (q.channels) where.push(`channel = ANY($${params.push([...q.channels])}::text[])`);
  if (q.codes) where.push(`code = ANY($${params.push([...q.codes])}::text[])`);
  const rows = await exec.query<{ id: string }>(
    `SELECT id FROM channel_accounts ${where.length ? `WHERE ${where.join(' AND ')}` : ''}`,
    params,
  );
  return rows.map((r) => r.id);
}

export async function listAccounts(exec: SqlExecutor): Promise<ChannelAccountView[]> {
  return (
    await exec.query<Row & Record<string, unknown>>(`SELECT * FROM channel_accounts ORDER BY code`)
  ).map(view);
}

type ConnectionInput = Pick<
  CreateChannelAccountBody,
  'credentials' | 'baseUrl' | 'syncIntervalSeconds' | 'connectorSettings'
>;

/** What an audit row may say of a connection change: field names and settings, never a secret. */
function connectionSummary(input: ConnectionInput) {
  return {
    ...(input.credentials ? { credentials: credentialFields(input.credentials) } : {}),
    ...(input.baseUrl !== undefined ? { baseUrlChanged: true } : {}),
    ...(input.syncIntervalSeconds !== undefined ? { syncIntervalSeconds: input.syncIntervalSeconds } : {}),
    ...(input.connectorSettings !== undefined ? { connectorSettings: input.connectorSettings } : {}),
  };
}

export async function createAccount(
  tx: Tx,
  deps: { crypto: FieldCrypto },
  at: Date,
  actor: Actor,
  input: CreateChannelAccountBody,
): Promise<ChannelAccountView> {
  const id = newId('channelAccount');
  if (input.credentials) checkCredentials(input.channel, input.credentials);
  if (input.connectorSettings) checkConnectorSettings(input.channel, input.connectorSettings);
  const creds = input.credentials ? stripUndefined(input.credentials) : null;
  try {
    await tx.query(
      `INSERT INTO channel_accounts (id, code, name, channel, active, created_at, updated_at,
         credentials_enc, credential_fields, credentials_updated_at, base_url, sync_interval_seconds, connector_settings)
       VALUES ($1,$2,$3,$4,true,$5,$5,$6,$7::jsonb,$8,$9,$10,$11::jsonb)`,
      [
        id,
        input.code,
        input.name,
        input.channel,
        at,
        creds ? sealCredentials(deps.crypto, creds) : null,
        JSON.stringify(credentialFields(creds)),
        creds ? at : null,
        input.baseUrl ?? null,
        input.syncIntervalSeconds ?? 300,
        JSON.stringify(input.connectorSettings ?? {}),
      ],
    );
  } catch (e) {
    if (isUniqueViolation(e))
      throw new DomainError('CHANNEL_ACCOUNT_CODE_TAKEN', `a channel account "${input.code}" exists`);
    throw e;
  }
  await recordAudit(tx, at, actor, {
    action: 'channel_account.create',
    entityType: 'channel_account',
    entityId: id,
    summary: { code: input.code, name: input.name, channel: input.channel, ...connectionSummary(input) },
  });
  return view(
    (await tx.query<Row & Record<string, unknown>>(`SELECT * FROM channel_accounts WHERE id = $1`, [id]))[0]!,
  );
}

const stripUndefined = <T extends object>(o: T): T =>
  Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;

/**
 * Renames, (de)activates, or changes the connection. Credentials given are merged over those on
 * file (a token can be rotated alone) and checked whole; their rotation is its own audit row.
 */
export async function updateAccount(
  tx: Tx,
  deps: { crypto: FieldCrypto },
  at: Date,
  actor: Actor,
  id: string,
  input: Static<typeof UpdateChannelAccountBody>,
): Promise<ChannelAccountView> {
  forgetAccountConnections();
  const current = (
    await tx.query<Row & Record<string, unknown>>(`SELECT * FROM channel_accounts WHERE id = $1 FOR UPDATE`, [
      id,
    ])
  )[0];
  if (!current) throw new DomainError('NOT_FOUND', `no channel account ${id}`);
  if (input.connectorSettings) checkConnectorSettings(current.channel, input.connectorSettings);
  let sealed: string | null = null;
  let fields: string[] | null = null;
  if (input.credentials) {
    const merged: ChannelCredentials = {
      ...(openCredentials(deps.crypto, current.credentials_enc) ?? {}),
      ...stripUndefined(input.credentials),
    };
    checkCredentials(current.channel, merged);
    sealed = sealCredentials(deps.crypto, merged);
    fields = credentialFields(merged);
  }
  const rows = await tx.query<Row & Record<string, unknown>>(
    `UPDATE channel_accounts SET name = COALESCE($2, name), active = COALESCE($3, active), updated_at = $4,
       credentials_enc = COALESCE($5, credentials_enc), credential_fields = COALESCE($6::jsonb, credential_fields),
       credentials_updated_at = CASE WHEN $5::text IS NULL THEN credentials_updated_at ELSE $4 END,
       base_url = CASE WHEN $7::boolean THEN $8 ELSE base_url END,
       sync_interval_seconds = COALESCE($9, sync_interval_seconds),
       connector_settings = COALESCE($10::jsonb, connector_settings)
     WHERE id = $1 RETURNING *`,
    [
      id,
      input.name ?? null,
      input.active ?? null,
      at,
      sealed,
      fields ? JSON.stringify(fields) : null,
      input.baseUrl !== undefined,
      input.baseUrl ?? null,
      input.syncIntervalSeconds ?? null,
      input.connectorSettings ? JSON.stringify(input.connectorSettings) : null,
    ],
  );
  const { credentials: _c, baseUrl: _b, ...plain } = input;
  await recordAudit(tx, at, actor, {
    action: 'channel_account.update',
    entityType: 'channel_account',
    entityId: id,
    summary: { ...plain, ...connectionSummary(input) },
  });
  if (input.credentials)
    await recordAudit(tx, at, actor, {
      action: 'channel_account.credentials_rotated',
      entityType: 'channel_account',
      entityId: id,
      summary: {
        code: current.code,
        fieldsChanged: credentialFields(input.credentials),
        before: current.credential_fields ?? [],
        after: fields,
      },
    });
  return view(rows[0]!);
}

/** An account with its connection opened: for the sync, the inbox and the stock push only. */
export interface AccountConnection extends ChannelAccount {
  credentials: ChannelCredentials | null;
  baseUrl: string | null;
  syncIntervalSeconds: number;
  connectorSettings: Record<string, unknown>;
}

export async function accountConnection(
  exec: SqlExecutor,
  crypto: FieldCrypto,
  by: { id: string } | { code: string },
): Promise<AccountConnection | null> {
  const [col, value] = 'id' in by ? ['id', by.id] : ['code', by.code];
  const r = (
    await exec.query<Row & Record<string, unknown>>(`SELECT * FROM channel_accounts WHERE ${col} = $1`, [
      value,
    ])
  )[0];
  if (!r) return null;
  return {
    id: r.id,
    code: r.code,
    name: r.name,
    channel: r.channel,
    active: r.active,
    credentials: openCredentials(crypto, r.credentials_enc),
    baseUrl: r.base_url,
    syncIntervalSeconds: r.sync_interval_seconds,
    connectorSettings: r.connector_settings ?? {},
  };
}

/**
 * Connections read on the hot paths (a push received, an inbox message processed) are kept for a
 * moment per database: thousands of pushes a minute need not read and decrypt the same account
 * each time. A change through this process forgets them at once; another process's change is
 * seen within the TTL.
 */
const CONNECTION_TTL_MS = 2_000;
let connectionCache = new WeakMap<object, Map<string, { until: number; value: AccountConnection | null }>>();

export async function cachedAccountConnection(
  exec: SqlExecutor,
  crypto: FieldCrypto,
  by: { id: string } | { code: string },
): Promise<AccountConnection | null> {
  let cache = connectionCache.get(exec);
  if (!cache) {
    cache = new Map();
    connectionCache.set(exec, cache);
  }
  const key = 'id' in by ? `id:${by.id}` : `code:${by.code}`;
  const hit = cache.get(key);
  const now = Date.now();
  if (hit && hit.until > now) return hit.value;
  const value = await accountConnection(exec, crypto, by);
  if (cache.size > 1000) cache.clear();
  if (value) cache.set(key, { until: now + CONNECTION_TTL_MS, value });
  return value;
}

/** Forgets every cached connection (an account was created, changed or resealed). */
export function forgetAccountConnections(): void {
  connectionCache = new WeakMap();
}

export async function getAccount(exec: SqlExecutor, id: string): Promise<ChannelAccountView> {
  const r = (
    await exec.query<Row & Record<string, unknown>>(`SELECT * FROM channel_accounts WHERE id = $1`, [id])
  )[0];
  if (!r) throw new DomainError('NOT_FOUND', `no channel account ${id}`);
  return view(r);
}

/**
 * A fresh install has one account, `default` (channel `api`), for a self-built storefront, named
 * 自营店铺 (the merchant renames it like any account). Installs from before kept an English name
 * nobody chose; it is renamed once, unless someone already changed it.
 */
export async function ensureDefaultAccount(exec: SqlExecutor, at: Date): Promise<void> {
  await exec.query(
    `INSERT INTO channel_accounts (id, code, name, channel, active, created_at, updated_at)
     VALUES ($1, 'default', '自营店铺', 'api', true, $2, $2) ON CONFLICT (code) DO NOTHING`,
    [newId('channelAccount'), at],
  );
  await exec.query(
    `UPDATE channel_accounts SET name = '自营店铺', updated_at = $1
      WHERE code = 'default' AND name = 'Default storefront'`,
    [at],
  );
}
