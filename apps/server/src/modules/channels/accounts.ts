import { CHANNELS } from '@orderhub/contracts';
import { type Static, Type } from '@sinclair/typebox';
import type { Actor } from '../../platform/actor.ts';
import type { SqlExecutor, Tx } from '../../platform/db.ts';
import { DomainError, isUniqueViolation } from '../../platform/errors.ts';
import { newId } from '../../platform/ids.ts';
import { recordAudit } from '../audit/index.ts';

export const ChannelAccountView = Type.Object({
  id: Type.String(),
  code: Type.String(),
  name: Type.String(),
  channel: Type.String(),
  active: Type.Boolean(),
  createdAt: Type.String({ format: 'date-time' }),
  updatedAt: Type.String({ format: 'date-time' }),
});
export type ChannelAccountView = Static<typeof ChannelAccountView>;

export const CreateChannelAccountBody = Type.Object(
  {
    code: Type.String({ minLength: 2, maxLength: 64, pattern: '^[A-Za-z0-9_.-]+$' }),
    name: Type.String({ minLength: 1, maxLength: 100 }),
    channel: Type.Union(CHANNELS.map((c) => Type.Literal(c))),
  },
  {
    additionalProperties: false,
    examples: [{ code: 'tmall-flagship', name: '天猫旗舰店', channel: 'tmall' }],
  },
);
export type CreateChannelAccountBody = Static<typeof CreateChannelAccountBody>;

export const UpdateChannelAccountBody = Type.Object(
  {
    name: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
    active: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false, minProperties: 1, examples: [{ name: '天猫旗舰店（新）' }] },
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
};

const view = (r: Row): ChannelAccountView => ({
  id: r.id,
  code: r.code,
  name: r.name,
  channel: r.channel,
  active: r.active,
  createdAt: new Date(r.created_at).toISOString(),
  updatedAt: new Date(r.updated_at).toISOString(),
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

export async function createAccount(
  tx: Tx,
  at: Date,
  actor: Actor,
  input: CreateChannelAccountBody,
): Promise<ChannelAccountView> {
  const id = newId('channelAccount');
  try {
    await tx.query(
      `INSERT INTO channel_accounts (id, code, name, channel, active, created_at, updated_at) VALUES ($1,$2,$3,$4,true,$5,$5)`,
      [id, input.code, input.name, input.channel, at],
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
    summary: input,
  });
  return view(
    (await tx.query<Row & Record<string, unknown>>(`SELECT * FROM channel_accounts WHERE id = $1`, [id]))[0]!,
  );
}

export async function updateAccount(
  tx: Tx,
  at: Date,
  actor: Actor,
  id: string,
  input: Static<typeof UpdateChannelAccountBody>,
): Promise<ChannelAccountView> {
  const rows = await tx.query<Row & Record<string, unknown>>(
    `UPDATE channel_accounts SET name = COALESCE($2, name), active = COALESCE($3, active), updated_at = $4 WHERE id = $1 RETURNING *`,
    [id, input.name ?? null, input.active ?? null, at],
  );
  if (!rows[0]) throw new DomainError('NOT_FOUND', `no channel account ${id}`);
  await recordAudit(tx, at, actor, {
    action: 'channel_account.update',
    entityType: 'channel_account',
    entityId: id,
    summary: input,
  });
  return view(rows[0]);
}

/** A fresh install has one account, `default` (channel `api`), for a self-built storefront. */
export async function ensureDefaultAccount(exec: SqlExecutor, at: Date): Promise<void> {
  await exec.query(
    `INSERT INTO channel_accounts (id, code, name, channel, active, created_at, updated_at)
     VALUES ($1, 'default', 'Default storefront', 'api', true, $2, $2) ON CONFLICT (code) DO NOTHING`,
    [newId('channelAccount'), at],
  );
}
