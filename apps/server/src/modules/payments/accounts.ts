import { PAYMENT_PROVIDERS, type PaymentAccountView } from '@orderhub/contracts';
import { Type } from '@sinclair/typebox';
import type { Actor } from '../../platform/actor.ts';
import type { FieldCrypto } from '../../platform/crypto.ts';
import type { SqlExecutor, Tx } from '../../platform/db.ts';
import { DomainError, isUniqueViolation } from '../../platform/errors.ts';
import { newUlid } from '../../platform/ids.ts';
import { recordAudit } from '../audit/index.ts';
import { type PaymentProvider, SettingsError } from './provider.ts';
import { availableProviders, providerFor } from './providers/index.ts';

export const CreatePaymentAccountBody = Type.Object(
  {
    code: Type.String({ minLength: 2, maxLength: 64, pattern: '^[A-Za-z0-9_.-]+$' }),
    name: Type.String({ minLength: 1, maxLength: 100 }),
    provider: Type.Union(PAYMENT_PROVIDERS.map((p) => Type.Literal(p))),
    baseUrl: Type.Optional(
      Type.String({
        maxLength: 500,
        pattern: '^https?://[^\\s]+$',
        description:
          'the provider’s API base URL; leave out for the real one (set it to point at a simulator)',
      }),
    ),
    replayWindowSeconds: Type.Optional(
      Type.Integer({
        minimum: 1,
        maximum: 604800,
        description: 'Stripe only: the replay window (default 300)',
      }),
    ),
    settings: Type.Record(Type.String({ maxLength: 64 }), Type.Unknown(), {
      description:
        'the provider’s keys and secrets; stored sealed and never returned. wechatpay: mchId, appId, apiV3Key, merchantSerialNo, merchantPrivateKey, platformCertificates [{serialNo, pem}]; alipay: appId, appPrivateKey, alipayPublicKey; stripe: secretKey, webhookSecret',
    }),
  },
  {
    additionalProperties: false,
    examples: [
      {
        code: 'stripe-main',
        name: 'Stripe (EU store)',
        provider: 'stripe',
        settings: { secretKey: 'sk_test_51ExampleSecretKey', webhookSecret: 'whsec_ExampleSigningSecret' },
      },
    ],
  },
);
export type CreatePaymentAccountBody = typeof CreatePaymentAccountBody.static;

export const UpdatePaymentAccountBody = Type.Object(
  {
    name: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
    active: Type.Optional(Type.Boolean()),
    baseUrl: Type.Optional(
      Type.Union([Type.String({ maxLength: 500, pattern: '^https?://[^\\s]+$' }), Type.Null()]),
    ),
    replayWindowSeconds: Type.Optional(
      Type.Union([Type.Integer({ minimum: 1, maximum: 604800 }), Type.Null()]),
    ),
    settings: Type.Optional(
      Type.Record(Type.String({ maxLength: 64 }), Type.Unknown(), {
        description:
          'secrets to replace (rotation): the fields given replace the stored ones, the others are kept; audited by name, never by value',
      }),
    ),
  },
  {
    additionalProperties: false,
    minProperties: 1,
    examples: [{ settings: { webhookSecret: 'whsec_RotatedSigningSecret' } }],
  },
);
export type UpdatePaymentAccountBody = typeof UpdatePaymentAccountBody.static;

interface Row {
  id: string;
  code: string;
  name: string;
  provider: string;
  base_url: string | null;
  settings_enc: string;
  settings_version: number;
  replay_window_seconds: number | null;
  active: boolean;
  created_at: Date | string;
  updated_at: Date | string;
  settings_updated_at: Date | string;
}

/** An account as the module uses it: settings opened and parsed by its provider. */
export interface PaymentAccount {
  id: string;
  code: string;
  name: string;
  provider: PaymentProvider<unknown>;
  baseUrl: string;
  active: boolean;
  replayWindowSeconds: number | null;
  settings: unknown;
  settingsVersion: number;
}

const iso = (d: Date | string) => new Date(d).toISOString();

export const notifyUrlOf = (publicUrl: string, code: string) =>
  `${publicUrl}/api/payments/notify/${encodeURIComponent(code)}`;

function view(r: Row, crypto: FieldCrypto, publicUrl: string): PaymentAccountView {
  const opened = crypto.openOr(r.settings_enc, () => null);
  let fields: string[] = [];
  if (opened !== null) {
    try {
      fields = Object.keys(JSON.parse(opened) as object).sort();
    } catch {
      fields = [];
    }
  }
  return {
    id: r.id,
    code: r.code,
    name: r.name,
    provider: r.provider,
    baseUrl: r.base_url,
    active: r.active,
    replayWindowSeconds: r.replay_window_seconds,
    settingsFields: fields,
    settingsVersion: r.settings_version,
    settingsUpdatedAt: iso(r.settings_updated_at),
    notifyUrl: notifyUrlOf(publicUrl, r.code),
    createdAt: iso(r.created_at),
    updatedAt: iso(r.updated_at),
  };
}

function adapter(name: string): PaymentProvider<unknown> {
  const p = providerFor(name);
  if (!p)
    throw new DomainError(
      'PAYMENT_SETTINGS_INVALID',
      `provider "${name}" is not available in this build (available: ${availableProviders().join(', ') || 'none'})`,
      { field: 'provider' },
    );
  return p;
}

function parseWith(p: PaymentProvider<unknown>, settings: unknown): unknown {
  try {
    return p.parseSettings(settings);
  } catch (e) {
    if (e instanceof SettingsError)
      throw new DomainError('PAYMENT_SETTINGS_INVALID', `settings.${e.field}: ${e.message}`, {
        field: `settings.${e.field}`,
      });
    throw e;
  }
}

export async function listPaymentAccounts(
  exec: SqlExecutor,
  crypto: FieldCrypto,
  publicUrl: string,
): Promise<PaymentAccountView[]> {
  const rows = await exec.query<Row & Record<string, unknown>>(
    `SELECT * FROM payment_accounts ORDER BY code`,
  );
  return rows.map((r) => view(r, crypto, publicUrl));
}

export async function getPaymentAccountView(
  exec: SqlExecutor,
  crypto: FieldCrypto,
  publicUrl: string,
  id: string,
): Promise<PaymentAccountView> {
  const row = (
    await exec.query<Row & Record<string, unknown>>(
      `SELECT * FROM payment_accounts WHERE id = $1 OR code = $1`,
      [id],
    )
  )[0];
  if (!row) throw new DomainError('NOT_FOUND', `no payment account ${id}`);
  return view(row, crypto, publicUrl);
}

export async function createPaymentAccount(
  tx: Tx,
  crypto: FieldCrypto,
  publicUrl: string,
  at: Date,
  actor: Actor,
  input: CreatePaymentAccountBody,
): Promise<PaymentAccountView> {
  const p = adapter(input.provider);
  const settings = parseWith(p, input.settings);
  const id = `pac_${newUlid()}`;
  try {
    await tx.query(
      `INSERT INTO payment_accounts (id, code, name, provider, base_url, settings_enc, settings_version, replay_window_seconds, active, created_at, updated_at, settings_updated_at)
       VALUES ($1,$2,$3,$4,$5,$6,1,$7,true,$8,$8,$8)`,
      [
        id,
        input.code,
        input.name,
        input.provider,
        input.baseUrl ?? null,
        crypto.encrypt(JSON.stringify(settings)),
        input.replayWindowSeconds ?? null,
        at,
      ],
    );
  } catch (e) {
    if (isUniqueViolation(e))
      throw new DomainError('PAYMENT_ACCOUNT_CODE_TAKEN', `a payment account "${input.code}" exists`);
    throw e;
  }
  await recordAudit(tx, at, actor, {
    action: 'payment_account.create',
    entityType: 'payment_account',
    entityId: id,
    // Names of the secrets only, never their values.
    summary: {
      code: input.code,
      name: input.name,
      provider: input.provider,
      baseUrl: input.baseUrl ?? null,
      settingsFields: Object.keys(settings as object).sort(),
    },
  });
  return getPaymentAccountView(tx, crypto, publicUrl, id);
}

export async function updatePaymentAccount(
  tx: Tx,
  crypto: FieldCrypto,
  publicUrl: string,
  at: Date,
  actor: Actor,
  id: string,
  input: UpdatePaymentAccountBody,
): Promise<PaymentAccountView> {
  const row = (
    await tx.query<Row & Record<string, unknown>>(`SELECT * FROM payment_accounts WHERE id = $1 FOR UPDATE`, [
      id,
    ])
  )[0];
  if (!row) throw new DomainError('NOT_FOUND', `no payment account ${id}`);
  let sealed = row.settings_enc;
  let rotated: string[] = [];
  if (input.settings) {
    const p = adapter(row.provider);
    const current = JSON.parse(crypto.decrypt(row.settings_enc)) as Record<string, unknown>;
    const merged = parseWith(p, { ...current, ...input.settings });
    sealed = crypto.encrypt(JSON.stringify(merged));
    rotated = Object.keys(input.settings).sort();
  }
  const rows = await tx.query<Row & Record<string, unknown>>(
    `UPDATE payment_accounts SET
        name = COALESCE($2, name),
        active = COALESCE($3, active),
        base_url = CASE WHEN $4::boolean THEN $5 ELSE base_url END,
        replay_window_seconds = CASE WHEN $6::boolean THEN $7::integer ELSE replay_window_seconds END,
        settings_enc = $8,
        settings_version = settings_version + CASE WHEN $9::boolean THEN 1 ELSE 0 END,
        settings_updated_at = CASE WHEN $9::boolean THEN $10 ELSE settings_updated_at END,
        updated_at = $10
      WHERE id = $1 RETURNING *`,
    [
      id,
      input.name ?? null,
      input.active ?? null,
      input.baseUrl !== undefined,
      input.baseUrl ?? null,
      input.replayWindowSeconds !== undefined,
      input.replayWindowSeconds ?? null,
      sealed,
      rotated.length > 0,
      at,
    ],
  );
  forgetPaymentAccounts();
  const { settings: _secret, ...rest } = input;
  await recordAudit(tx, at, actor, {
    action: rotated.length ? 'payment_account.rotate' : 'payment_account.update',
    entityType: 'payment_account',
    entityId: id,
    summary: {
      ...rest,
      ...(rotated.length ? { rotatedFields: rotated, settingsVersion: rows[0]!.settings_version } : {}),
    },
  });
  return view(rows[0]!, crypto, publicUrl);
}

/** Parsed settings by (account, settings version): PEM parsing is not repeated per callback. */
const parsed = new Map<string, unknown>();

function toAccount(r: Row, crypto: FieldCrypto): PaymentAccount | 'unreadable' {
  const p = providerFor(r.provider);
  if (!p) return 'unreadable';
  const key = `${r.id}:${r.settings_version}:${r.settings_enc.length}`;
  let settings = parsed.get(key);
  if (settings === undefined) {
    const opened = crypto.openOr(r.settings_enc, () => null);
    if (opened === null) return 'unreadable';
    try {
      settings = p.parseSettings(JSON.parse(opened));
    } catch {
      return 'unreadable';
    }
    if (parsed.size > 1000) parsed.clear();
    parsed.set(key, settings);
  }
  return {
    id: r.id,
    code: r.code,
    name: r.name,
    provider: p,
    baseUrl: r.base_url ?? p.defaultBaseUrl,
    active: r.active,
    replayWindowSeconds: r.replay_window_seconds,
    settings,
    settingsVersion: r.settings_version,
  };
}

/**
 * Accounts by code for callbacks, kept for ACCOUNT_CACHE_MS: a burst of callbacks does not read the
 * account row each time. A change made through this process clears it at once; another process's
 * change (rotation, deactivation) is seen within the window — a callback signed with rotated
 * secrets meanwhile is refused and retried by the provider, never booked wrongly.
 */
const ACCOUNT_CACHE_MS = 2_000;
const byCode = new Map<string, { at: number; row: Row }>();
export function forgetPaymentAccounts(): void {
  byCode.clear();
}

/** The account by code for a callback: null when unknown, 'unreadable' when its secrets cannot be opened. */
export async function loadAccountByCode(
  exec: SqlExecutor,
  crypto: FieldCrypto,
  code: string,
): Promise<PaymentAccount | 'unreadable' | null> {
  const hit = byCode.get(code);
  let r: Row | undefined = hit && Date.now() - hit.at < ACCOUNT_CACHE_MS ? hit.row : undefined;
  if (!r) {
    r = (
      await exec.query<Row & Record<string, unknown>>(`SELECT * FROM payment_accounts WHERE code = $1`, [
        code,
      ])
    )[0];
    if (byCode.size > 1000) byCode.clear();
    // Unknown codes are not kept: anyone can send them.
    if (r) byCode.set(code, { at: Date.now(), row: r });
  }
  return r ? toAccount(r, crypto) : null;
}

export async function loadAccountById(
  exec: SqlExecutor,
  crypto: FieldCrypto,
  id: string,
): Promise<PaymentAccount | 'unreadable' | null> {
  const r = (
    await exec.query<Row & Record<string, unknown>>(`SELECT * FROM payment_accounts WHERE id = $1`, [id])
  )[0];
  return r ? toAccount(r, crypto) : null;
}

/** An account usable for a new payment or refund (exists, active, secrets readable). */
export async function requireUsableAccount(
  exec: SqlExecutor,
  crypto: FieldCrypto,
  code: string,
): Promise<PaymentAccount> {
  const a = await loadAccountByCode(exec, crypto, code);
  if (!a)
    throw new DomainError(
      'PAYMENT_ACCOUNT_UNKNOWN',
      `no payment account "${code}"; create it first (POST /api/payment-accounts)`,
      {
        paymentAccount: code,
      },
    );
  if (a === 'unreadable')
    throw new DomainError(
      'PAYMENT_ACCOUNT_INACTIVE',
      `the secrets of payment account "${code}" cannot be opened with this server's keys`,
      {
        paymentAccount: code,
      },
    );
  if (!a.active)
    throw new DomainError('PAYMENT_ACCOUNT_INACTIVE', `payment account "${code}" is deactivated`, {
      paymentAccount: code,
    });
  return a;
}
