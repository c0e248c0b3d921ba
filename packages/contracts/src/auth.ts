import { type Static, Type } from '@sinclair/typebox';

/** Roles a user can hold. Each maps to a fixed set of permissions below. */
export const ROLES = ['admin', 'operations', 'customer_service', 'warehouse', 'finance', 'auditor'] as const;
export type Role = (typeof ROLES)[number];

export const ROLE_LABELS: Record<Role, { zh: string; en: string }> = {
  admin: { zh: '管理员', en: 'Administrator' },
  operations: { zh: '运营', en: 'Operations' },
  customer_service: { zh: '客服', en: 'Customer service' },
  warehouse: { zh: '仓库', en: 'Warehouse' },
  finance: { zh: '财务', en: 'Finance' },
  auditor: { zh: '审计', en: 'Auditor' },
};

export const PERMISSIONS = [
  'orders:read',
  'orders:ingest',
  'orders:review', // approve, hold, release
  'orders:cancel',
  'orders:fulfil', // start fulfilment, ship, deliver, complete
  'pii:read', // audited reveal of receiver name / phone / address
  'channels:read',
  'channels:manage',
  'audit:read',
  'users:manage',
  'tokens:manage', // own API tokens; admin manages everyone's through users:manage
  'inventory:read', // stock levels, ledger, alerts, SKU master, warehouses
  'inventory:adjust', // receipts, adjustments, counts, transfers
  'inventory:freeze', // freeze and release units (after-sales, quality checks)
  'inventory:plan', // warehouses, safety stock, channel shares
  'catalog:manage', // SKU master
  'orders:amounts', // money on orders and lines (goods, shipping, discount, tax, total, prices)
  'payments:read', // payment attempts, fund vouchers, refunds, callback events, inspections
  'payments:collect', // start a payment attempt for an order (the buyer's pay link / QR code)
  'payments:refund', // refund money through the provider
  'payments:manage', // payment accounts and their secrets (write-only)
] as const;
export type Permission = (typeof PERMISSIONS)[number];

export const ROLE_PERMISSIONS: Record<Role, readonly Permission[]> = {
  admin: PERMISSIONS,
  operations: [
    'orders:read',
    'orders:ingest',
    'orders:review',
    'orders:cancel',
    'channels:read',
    'channels:manage',
    'tokens:manage',
    'inventory:read',
    'inventory:freeze',
    'inventory:plan',
    'catalog:manage',
    'orders:amounts',
    'payments:read',
    'payments:collect',
  ],
  customer_service: [
    'orders:read',
    'orders:review',
    'orders:cancel',
    'pii:read',
    'channels:read',
    'inventory:read',
    'inventory:freeze',
    'orders:amounts',
    'payments:read',
    'payments:collect',
  ],
  warehouse: [
    'orders:read',
    'orders:fulfil',
    'pii:read',
    'channels:read',
    'inventory:read',
    'inventory:adjust',
    'inventory:freeze',
  ],
  finance: [
    'orders:read',
    'channels:read',
    'inventory:read',
    'orders:amounts',
    'payments:read',
    'payments:collect',
    'payments:refund',
    'payments:manage',
  ],
  auditor: [
    'orders:read',
    'channels:read',
    'audit:read',
    'inventory:read',
    'orders:amounts',
    'payments:read',
  ],
};

export function roleHas(role: Role, permission: Permission): boolean {
  return ROLE_PERMISSIONS[role].includes(permission);
}

export const RoleSchema = Type.Union(ROLES.map((r) => Type.Literal(r)));

export const LoginBody = Type.Object(
  {
    username: Type.String({ minLength: 1, maxLength: 64 }),
    password: Type.String({ minLength: 1, maxLength: 256 }),
  },
  { additionalProperties: false, examples: [{ username: 'admin', password: 'the-one-time-password' }] },
);
export type LoginBody = Static<typeof LoginBody>;

/** What a user may see: channel account ids and warehouse ids; an empty list means all of them. */
export const UserScope = Type.Object(
  {
    channelAccounts: Type.Array(Type.String({ minLength: 1, maxLength: 64 }), {
      maxItems: 200,
      description: 'Channel account ids (shops) the user sees; empty = every shop',
    }),
    warehouses: Type.Array(Type.String({ minLength: 1, maxLength: 64 }), {
      maxItems: 200,
      description: 'Warehouse ids the user sees; empty = every warehouse',
    }),
  },
  { additionalProperties: false },
);
export type UserScope = Static<typeof UserScope>;

export const UserView = Type.Object({
  id: Type.String(),
  username: Type.String(),
  displayName: Type.String(),
  role: RoleSchema,
  active: Type.Boolean(),
  permissions: Type.Array(Type.String()),
  scope: UserScope,
  createdAt: Type.String({ format: 'date-time' }),
});
export type UserView = Static<typeof UserView>;

export const CreateUserBody = Type.Object(
  {
    username: Type.String({ minLength: 2, maxLength: 64, pattern: '^[A-Za-z0-9_.@-]+$' }),
    displayName: Type.Optional(Type.String({ maxLength: 100 })),
    role: RoleSchema,
    password: Type.String({ minLength: 10, maxLength: 256 }),
    scope: Type.Optional(UserScope),
  },
  {
    additionalProperties: false,
    examples: [
      {
        username: 'kefu01',
        displayName: '客服小王',
        role: 'customer_service',
        password: 'change-me-please-2026',
      },
    ],
  },
);
export type CreateUserBody = Static<typeof CreateUserBody>;

export const UpdateUserBody = Type.Object(
  {
    displayName: Type.Optional(Type.String({ maxLength: 100 })),
    role: Type.Optional(RoleSchema),
    active: Type.Optional(Type.Boolean()),
    password: Type.Optional(Type.String({ minLength: 10, maxLength: 256 })),
    scope: Type.Optional(UserScope),
    /**
     * A new password or a role with fewer permissions revokes the user's API tokens (their sessions
     * end in any case); `true` keeps the tokens working. Deactivating always revokes them.
     */
    keepTokens: Type.Optional(
      Type.Boolean({
        description:
          'Keep the user’s API tokens working through a password change or a role reduction (revoked by default)',
      }),
    ),
  },
  { additionalProperties: false, minProperties: 1, examples: [{ role: 'operations' }] },
);
export type UpdateUserBody = Static<typeof UpdateUserBody>;

export const CreateTokenBody = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 100 }),
    username: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
    expiresAt: Type.Optional(Type.String({ format: 'date-time' })),
  },
  { additionalProperties: false, examples: [{ name: 'storefront-prod' }] },
);
export type CreateTokenBody = Static<typeof CreateTokenBody>;

export const TokenView = Type.Object({
  id: Type.String(),
  name: Type.String(),
  username: Type.String(),
  prefix: Type.String(),
  createdAt: Type.String({ format: 'date-time' }),
  expiresAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  lastUsedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  revokedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
});
export type TokenView = Static<typeof TokenView>;
