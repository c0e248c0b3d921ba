import { type Static, type TSchema, Type } from '@sinclair/typebox';

/**
 * Stock: SKU master, warehouses, levels per (SKU, warehouse) kept as caches of an append-only
 * movement ledger, reservations, freezes, counts (盘点), transfers (调拨), safety stock and the
 * stock each channel account may sell.
 */

const Nullable = <T extends TSchema>(t: T) => Type.Union([t, Type.Null()]);
const Instant = (description?: string) =>
  Type.String({ format: 'date-time', ...(description ? { description } : {}) });

export const MAX_QUANTITY = 1_000_000_000;
export const Quantity = (description = 'units, a whole number') =>
  Type.Integer({ minimum: 1, maximum: MAX_QUANTITY, description });
export const SkuCode = Type.String({
  minLength: 1,
  maxLength: 128,
  pattern: '^\\S(.*\\S)?$',
  description: 'master SKU code',
});
export const WarehouseCode = Type.String({
  minLength: 1,
  maxLength: 64,
  pattern: '^[A-Za-z0-9_.-]+$',
  description: 'warehouse code',
});
const Note = Type.Optional(Type.String({ maxLength: 1000 }));
const Limit = Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 100 }));
const Cursor = Type.Optional(Type.String({ maxLength: 400 }));

export const MOVEMENT_TYPES = [
  'receipt',
  'adjustment',
  'count_correction',
  'reserve',
  'release',
  'freeze',
  'unfreeze',
  'ship',
  'transfer_out',
  'transfer_in',
] as const;
export type MovementType = (typeof MOVEMENT_TYPES)[number];

export const MOVEMENT_TYPE_LABELS: Record<MovementType, { zh: string; en: string }> = {
  receipt: { zh: '入库', en: 'Receipt' },
  adjustment: { zh: '库存调整', en: 'Adjustment' },
  count_correction: { zh: '盘点差异', en: 'Count correction' },
  reserve: { zh: '占用', en: 'Reserve' },
  release: { zh: '释放', en: 'Release' },
  freeze: { zh: '冻结', en: 'Freeze' },
  unfreeze: { zh: '解冻', en: 'Unfreeze' },
  ship: { zh: '出库', en: 'Ship' },
  transfer_out: { zh: '调拨出库', en: 'Transfer out' },
  transfer_in: { zh: '调拨入库', en: 'Transfer in' },
};

export const ADJUSTMENT_REASONS = [
  'DAMAGED',
  'LOST',
  'FOUND',
  'RETURNED_TO_STOCK',
  'SAMPLE',
  'CORRECTION',
  'OTHER',
] as const;
export const FREEZE_REASONS = ['REFUND_ONLY', 'AFTER_SALES', 'QUALITY_CHECK', 'MANUAL'] as const;
export const FREEZE_RELEASE_REASONS = ['APPROVED', 'REJECTED', 'MANUAL'] as const;

/**
 * Words for the reason codes the stock ledger carries (`MovementView.reasonCode`): adjustment,
 * freeze and release reasons and the codes the system writes (ORDER, SHIPPED, COUNT_GAIN, …).
 */
export const STOCK_MOVEMENT_REASON_LABELS: Record<string, { zh: string; en: string }> = {
  DAMAGED: { zh: '破损', en: 'Damaged' },
  LOST: { zh: '丢失', en: 'Lost' },
  FOUND: { zh: '盘盈找回', en: 'Found' },
  RETURNED_TO_STOCK: { zh: '退货入库', en: 'Returned to stock' },
  SAMPLE: { zh: '样品', en: 'Sample' },
  CORRECTION: { zh: '更正', en: 'Correction' },
  OTHER: { zh: '其他', en: 'Other' },
  REFUND_ONLY: { zh: '仅退款', en: 'Refund only' },
  AFTER_SALES: { zh: '售后', en: 'After-sales' },
  QUALITY_CHECK: { zh: '质检', en: 'Quality check' },
  MANUAL: { zh: '人工', en: 'Manual' },
  APPROVED: { zh: '审核通过', en: 'Approved' },
  REJECTED: { zh: '审核驳回', en: 'Rejected' },
  EXPIRED: { zh: '到期自动解冻', en: 'Expired' },
  RECEIPT: { zh: '采购入库', en: 'Goods received' },
  ORDER: { zh: '订单占用', en: 'Held for an order' },
  CHECKOUT: { zh: '结账占用', en: 'Held at checkout' },
  ORDER_CHANGED: { zh: '订单修改后释放', en: 'Released after an order change' },
  SHIPPED: { zh: '订单发货出库', en: 'Shipped with an order' },
  PAYMENT_TIMEOUT: { zh: '超时未支付释放', en: 'Released: payment timed out' },
  COUNT_GAIN: { zh: '盘盈', en: 'Count surplus' },
  COUNT_LOSS: { zh: '盘亏', en: 'Count shortfall' },
  TRANSFER: { zh: '调拨', en: 'Transfer' },
};

// ---- SKU master -------------------------------------------------------------------------------

export const SkuView = Type.Object({
  id: Type.String(),
  code: Type.String(),
  name: Type.String(),
  category: Nullable(Type.String()),
  barcode: Nullable(Type.String()),
  active: Type.Boolean(),
  tracked: Type.Boolean({
    description: 'false for goods that carry no stock (services, virtual goods): they reserve nothing',
  }),
  createdAt: Instant(),
  updatedAt: Instant(),
});
export type SkuView = Static<typeof SkuView>;

export const CreateSkuBody = Type.Object(
  {
    code: SkuCode,
    name: Type.String({ minLength: 1, maxLength: 200 }),
    category: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
    barcode: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
    tracked: Type.Optional(
      Type.Boolean({
        default: true,
        description: 'false for goods that carry no stock (services, virtual goods); default true',
      }),
    ),
  },
  {
    additionalProperties: false,
    examples: [{ code: 'TEA-SET-01', name: '青瓷茶具套装', category: '茶具', barcode: '6901234567892' }],
  },
);
export type CreateSkuBody = Static<typeof CreateSkuBody>;

export const UpdateSkuBody = Type.Object(
  {
    name: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    category: Type.Optional(Nullable(Type.String({ minLength: 1, maxLength: 100 }))),
    barcode: Type.Optional(Nullable(Type.String({ minLength: 1, maxLength: 64 }))),
    active: Type.Optional(Type.Boolean()),
    tracked: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false, minProperties: 1, examples: [{ name: '青瓷茶具套装（礼盒）' }] },
);
export type UpdateSkuBody = Static<typeof UpdateSkuBody>;

export const SkuListQuery = Type.Object(
  {
    q: Type.Optional(Type.String({ maxLength: 128, description: 'code or name contains' })),
    category: Type.Optional(Type.String({ maxLength: 100 })),
    active: Type.Optional(Type.Boolean()),
    limit: Limit,
    cursor: Cursor,
  },
  { additionalProperties: false },
);
export type SkuListQuery = Static<typeof SkuListQuery>;

// ---- Warehouses -------------------------------------------------------------------------------

export const WarehouseView = Type.Object({
  id: Type.String(),
  code: Type.String(),
  name: Type.String(),
  province: Nullable(Type.String()),
  city: Nullable(Type.String()),
  active: Type.Boolean(),
  priority: Type.Integer({ description: 'higher reserves first' }),
  createdAt: Instant(),
  updatedAt: Instant(),
});
export type WarehouseView = Static<typeof WarehouseView>;

export const CreateWarehouseBody = Type.Object(
  {
    code: WarehouseCode,
    name: Type.String({ minLength: 1, maxLength: 100 }),
    province: Type.Optional(Type.String({ minLength: 1, maxLength: 50 })),
    city: Type.Optional(Type.String({ minLength: 1, maxLength: 50 })),
    priority: Type.Optional(Type.Integer({ minimum: -1000, maximum: 1000, default: 0 })),
    active: Type.Optional(Type.Boolean()),
  },
  {
    additionalProperties: false,
    examples: [{ code: 'WH-HZ', name: '杭州仓', province: '浙江省', city: '杭州市', priority: 10 }],
  },
);
export type CreateWarehouseBody = Static<typeof CreateWarehouseBody>;

export const UpdateWarehouseBody = Type.Object(
  {
    name: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
    province: Type.Optional(Nullable(Type.String({ minLength: 1, maxLength: 50 }))),
    city: Type.Optional(Nullable(Type.String({ minLength: 1, maxLength: 50 }))),
    priority: Type.Optional(Type.Integer({ minimum: -1000, maximum: 1000 })),
    active: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false, minProperties: 1, examples: [{ priority: 20 }] },
);
export type UpdateWarehouseBody = Static<typeof UpdateWarehouseBody>;

// ---- Levels and ledger ------------------------------------------------------------------------

export const StockLevelView = Type.Object({
  sku: Type.String(),
  warehouse: Type.String(),
  onHand: Type.Integer({ description: '实物库存: units physically in the warehouse' }),
  reserved: Type.Integer({ description: '已占用: held by orders not yet shipped' }),
  frozen: Type.Integer({ description: '冻结: held by after-sales or a manual freeze' }),
  inTransit: Type.Integer({ description: '调拨中: on the way here from another warehouse' }),
  safetyStock: Type.Integer({ description: '安全库存: kept back from channels' }),
  available: Type.Integer({ description: 'onHand − reserved − frozen' }),
  sellable: Type.Integer({ description: '可售: max(0, available − safetyStock)' }),
  belowSafety: Type.Boolean(),
  updatedAt: Instant(),
});
export type StockLevelView = Static<typeof StockLevelView>;

export const LevelsQuery = Type.Object(
  {
    sku: Type.Optional(Type.String({ maxLength: 128 })),
    warehouse: Type.Optional(Type.String({ maxLength: 64 })),
    belowSafety: Type.Optional(Type.Boolean()),
    limit: Limit,
    cursor: Cursor,
  },
  { additionalProperties: false },
);
export type LevelsQuery = Static<typeof LevelsQuery>;

export const LevelsResponse = Type.Object({
  items: Type.Array(StockLevelView),
  nextCursor: Nullable(Type.String()),
});

export const MovementView = Type.Object({
  id: Type.String(),
  at: Instant(),
  type: Type.String(),
  sku: Type.String(),
  warehouse: Type.String(),
  onHand: Type.Integer({ description: 'change of on hand' }),
  reserved: Type.Integer({ description: 'change of reserved' }),
  frozen: Type.Integer({ description: 'change of frozen' }),
  inTransit: Type.Integer({ description: 'change of in transit' }),
  reasonCode: Nullable(Type.String()),
  actor: Type.Object({ type: Type.String(), id: Nullable(Type.String()), name: Nullable(Type.String()) }),
  source: Nullable(Type.Object({ type: Type.String(), id: Nullable(Type.String()) })),
  note: Nullable(Type.String()),
  balanceAfter: Type.Optional(
    Type.Object(
      {
        onHand: Type.Integer(),
        reserved: Type.Integer(),
        frozen: Type.Integer(),
        inTransit: Type.Integer(),
        available: Type.Integer({ description: 'onHand - reserved - frozen' }),
      },
      {
        description:
          'the SKU × warehouse counters right after this movement; present when the ledger is filtered to one SKU and one warehouse',
      },
    ),
  ),
});
export type MovementView = Static<typeof MovementView>;

export const MovementsQuery = Type.Object(
  {
    sku: Type.Optional(Type.String({ maxLength: 128 })),
    warehouse: Type.Optional(Type.String({ maxLength: 64 })),
    type: Type.Optional(Type.Union(MOVEMENT_TYPES.map((t) => Type.Literal(t)))),
    from: Type.Optional(Instant('inclusive')),
    to: Type.Optional(Instant('exclusive')),
    limit: Limit,
    cursor: Cursor,
  },
  { additionalProperties: false },
);
export type MovementsQuery = Static<typeof MovementsQuery>;

export const MovementsResponse = Type.Object({
  items: Type.Array(MovementView),
  nextCursor: Nullable(Type.String()),
});

// ---- Receipts and adjustments -----------------------------------------------------------------

export const ReceiptBody = Type.Object(
  {
    warehouse: WarehouseCode,
    lines: Type.Array(Type.Object({ sku: SkuCode, quantity: Quantity() }, { additionalProperties: false }), {
      minItems: 1,
      maxItems: 1000,
    }),
    reference: Type.Optional(Type.String({ minLength: 1, maxLength: 128, description: 'PO or ASN number' })),
    note: Note,
  },
  {
    additionalProperties: false,
    examples: [
      { warehouse: 'WH-HZ', lines: [{ sku: 'TEA-SET-01', quantity: 50 }], reference: 'PO-2026-0001' },
    ],
  },
);
export type ReceiptBody = Static<typeof ReceiptBody>;

export const AdjustmentBody = Type.Object(
  {
    warehouse: WarehouseCode,
    lines: Type.Array(
      Type.Object(
        {
          sku: SkuCode,
          delta: Type.Integer({
            minimum: -MAX_QUANTITY,
            maximum: MAX_QUANTITY,
            not: { const: 0 },
            description: 'units added (positive) or removed (negative) from on hand',
          }),
        },
        { additionalProperties: false },
      ),
      { minItems: 1, maxItems: 1000 },
    ),
    reasonCode: Type.Union(ADJUSTMENT_REASONS.map((r) => Type.Literal(r))),
    note: Note,
  },
  {
    additionalProperties: false,
    examples: [
      {
        warehouse: 'WH-HZ',
        lines: [{ sku: 'TEA-SET-01', delta: 2 }],
        reasonCode: 'FOUND',
        note: '货架后找到',
      },
    ],
  },
);
export type AdjustmentBody = Static<typeof AdjustmentBody>;

export const StockChangeResponse = Type.Object({
  movements: Type.Array(MovementView),
  levels: Type.Array(StockLevelView),
});

// ---- Counts (盘点) -----------------------------------------------------------------------------

export const CountPreviewBody = Type.Object(
  {
    format: Type.Union([Type.Literal('csv'), Type.Literal('xlsx')]),
    // No maxLength nor minLength: a validator counts a string's characters one by one in
    // JavaScript for either (10–17 ms on the server's thread for the largest sheet, in one go). The
    // body limit (8 MiB) bounds it, the decoded size is checked against ORDERHUB_IMPORT_MAX_BYTES
    // (413 IMPORT_TOO_LARGE) and empty content is refused as it is decoded (422
    // IMPORT_ENCODING_INVALID).
    content: Type.String({
      contentEncoding: 'base64',
      description:
        'the sheet, base64 (at most the import byte limit decoded: 413 IMPORT_TOO_LARGE). Columns: sku (or SKU/商品编码), warehouse (or 仓库), counted (or 实盘数量); a header row is required',
    }),
    warehouse: Type.Optional(WarehouseCode),
    note: Note,
  },
  {
    additionalProperties: false,
    examples: [
      {
        format: 'csv',
        // "sku,warehouse,counted\nTEA-SET-01,WH-HZ,48\n"
        content: 'c2t1LHdhcmVob3VzZSxjb3VudGVkClRFQS1TRVQtMDEsV0gtSFosNDgK',
      },
    ],
  },
);
export type CountPreviewBody = Static<typeof CountPreviewBody>;

export const CountBadRow = Type.Object({
  row: Type.Integer({ description: 'line number in the sheet (1 = header)' }),
  sku: Nullable(Type.String()),
  warehouse: Nullable(Type.String()),
  problem: Type.String({ description: 'SKU_UNKNOWN, WAREHOUSE_UNKNOWN, DUPLICATE_ROW, QUANTITY_INVALID, …' }),
  message: Type.String(),
});
export type CountBadRow = Static<typeof CountBadRow>;

export const CountView = Type.Object({
  id: Type.String(),
  status: Type.String({
    description:
      'processing (a large sheet is being read) | previewed (ready to apply) | failed (see `error`) | applied',
  }),
  rows: Type.Array(
    Type.Object({
      row: Type.Integer(),
      sku: Type.String(),
      warehouse: Type.String(),
      expected: Type.Integer({ description: 'on hand when previewed' }),
      counted: Type.Integer(),
      difference: Type.Integer(),
    }),
  ),
  differences: Type.Integer({ description: 'rows whose count differs from on hand' }),
  createdAt: Instant(),
  appliedAt: Nullable(Instant()),
  progress: Type.Optional(
    Type.Object({
      rowsRead: Type.Integer({ description: 'sheet rows read so far' }),
      rowsTotal: Type.Integer({ description: 'rows in the count (all of them once previewed)' }),
    }),
  ),
  error: Type.Optional(
    Nullable(
      Type.Object({
        code: Type.String({ description: 'COUNT_SHEET_INVALID, IMPORT_ROW_LIMIT, IMPORT_CELL_LIMIT, …' }),
        message: Type.String(),
        details: Type.Optional(Type.Unknown()),
      }),
    ),
  ),
});
export type CountView = Static<typeof CountView>;

export const CountQuery = Type.Object(
  {
    rowsOffset: Type.Optional(Type.Integer({ minimum: 0, maximum: 1_000_000, default: 0 })),
    rowsLimit: Type.Optional(
      Type.Integer({ minimum: 0, maximum: 1_000_000, description: 'rows to return (default all)' }),
    ),
    wait: Type.Optional(
      Type.Integer({
        minimum: 0,
        maximum: 20,
        description:
          'seconds to wait while the count is still `processing`: answered as soon as it is read (default 0, answer at once)',
      }),
    ),
  },
  { additionalProperties: false },
);
export type CountQuery = Static<typeof CountQuery>;

export const CountApplyBody = Type.Object(
  { note: Note },
  { additionalProperties: false, examples: [{ note: '2026 年 1 月月度盘点' }] },
);

// ---- Freezes (冻结) ----------------------------------------------------------------------------

export const FreezeBody = Type.Object(
  {
    sku: SkuCode,
    warehouse: WarehouseCode,
    quantity: Quantity(),
    reasonCode: Type.Union(FREEZE_REASONS.map((r) => Type.Literal(r))),
    expiresAt: Type.Optional(Instant('released automatically at this instant; default: 24 h from now')),
    source: Type.Optional(
      Type.Object(
        {
          type: Type.String({ minLength: 1, maxLength: 32, description: 'e.g. aftersales_case' }),
          id: Type.String({ minLength: 1, maxLength: 64 }),
        },
        { additionalProperties: false },
      ),
    ),
    note: Note,
  },
  {
    additionalProperties: false,
    examples: [
      {
        sku: 'TEA-SET-01',
        warehouse: 'WH-HZ',
        quantity: 1,
        reasonCode: 'REFUND_ONLY',
        source: { type: 'aftersales_case', id: 'AS-20260110-0001' },
      },
    ],
  },
);
export type FreezeBody = Static<typeof FreezeBody>;

export const FreezeView = Type.Object({
  id: Type.String(),
  sku: Type.String(),
  warehouse: Type.String(),
  quantity: Type.Integer(),
  reasonCode: Type.String(),
  status: Type.String({ description: 'active | released | expired' }),
  expiresAt: Nullable(Instant()),
  source: Nullable(Type.Object({ type: Type.String(), id: Type.String() })),
  note: Nullable(Type.String()),
  createdAt: Instant(),
  releasedAt: Nullable(Instant()),
  releaseReason: Nullable(Type.String()),
});
export type FreezeView = Static<typeof FreezeView>;

export const FreezeReleaseBody = Type.Object(
  {
    reasonCode: Type.Union(
      FREEZE_RELEASE_REASONS.map((r) => Type.Literal(r)),
      {
        description: 'APPROVED: refund approved, units back on sale; REJECTED: request rejected; MANUAL',
      },
    ),
    note: Note,
  },
  { additionalProperties: false, examples: [{ reasonCode: 'REJECTED' }] },
);
export type FreezeReleaseBody = Static<typeof FreezeReleaseBody>;

// ---- Transfers (调拨) --------------------------------------------------------------------------

export const TransferBody = Type.Object(
  {
    from: WarehouseCode,
    to: WarehouseCode,
    lines: Type.Array(Type.Object({ sku: SkuCode, quantity: Quantity() }, { additionalProperties: false }), {
      minItems: 1,
      maxItems: 1000,
    }),
    note: Note,
  },
  {
    additionalProperties: false,
    examples: [{ from: 'WH-HZ', to: 'WH-SZ', lines: [{ sku: 'TEA-SET-01', quantity: 5 }] }],
  },
);
export type TransferBody = Static<typeof TransferBody>;

export const TransferView = Type.Object({
  id: Type.String(),
  from: Type.String(),
  to: Type.String(),
  status: Type.String({ description: 'in_transit | received' }),
  lines: Type.Array(Type.Object({ sku: Type.String(), quantity: Type.Integer() })),
  note: Nullable(Type.String()),
  createdAt: Instant(),
  receivedAt: Nullable(Instant()),
});
export type TransferView = Static<typeof TransferView>;

export const TransferReceiveBody = Type.Object(
  { note: Note },
  { additionalProperties: false, examples: [{ note: '苏州仓已签收' }] },
);

// ---- Safety stock, alerts, channel shares -----------------------------------------------------

export const SafetyStockBody = Type.Object(
  {
    items: Type.Array(
      Type.Object(
        {
          sku: SkuCode,
          warehouse: WarehouseCode,
          safetyStock: Type.Integer({ minimum: 0, maximum: MAX_QUANTITY }),
        },
        { additionalProperties: false },
      ),
      { minItems: 1, maxItems: 1000 },
    ),
  },
  {
    additionalProperties: false,
    examples: [{ items: [{ sku: 'TEA-SET-01', warehouse: 'WH-HZ', safetyStock: 5 }] }],
  },
);
export type SafetyStockBody = Static<typeof SafetyStockBody>;

export const AlertView = Type.Object({
  id: Type.String(),
  type: Type.String({ description: 'below_safety' }),
  sku: Type.String(),
  warehouse: Type.String({ description: 'warehouse code' }),
  warehouseName: Type.String(),
  title: Nullable(Type.String({ description: 'the SKU’s name in the master' })),
  available: Type.Integer({ description: 'available when the alert was raised' }),
  availableNow: Type.Integer({ description: 'available now (on hand − reserved − frozen)' }),
  onHandNow: Type.Integer(),
  safetyStock: Type.Integer(),
  raisedAt: Instant(),
  clearedAt: Nullable(Instant()),
});
export type AlertView = Static<typeof AlertView>;

export const AlertsQuery = Type.Object(
  {
    active: Type.Optional(Type.Boolean({ default: true, description: 'false: cleared alerts too' })),
    sku: Type.Optional(Type.String({ maxLength: 128 })),
    warehouse: Type.Optional(Type.String({ maxLength: 64 })),
    limit: Limit,
  },
  { additionalProperties: false },
);
export type AlertsQuery = Static<typeof AlertsQuery>;

export const ChannelSharesBody = Type.Object(
  {
    items: Type.Array(
      Type.Object(
        {
          account: Type.String({ minLength: 1, maxLength: 64, description: 'channel account code' }),
          sku: Type.Optional(SkuCode),
          percent: Type.Integer({
            minimum: 0,
            maximum: 100,
            description: 'share of sellable stock offered to this account; 100 = no cap',
          }),
        },
        { additionalProperties: false },
      ),
      { minItems: 1, maxItems: 1000 },
    ),
  },
  { additionalProperties: false, examples: [{ items: [{ account: 'default', percent: 60 }] }] },
);
export type ChannelSharesBody = Static<typeof ChannelSharesBody>;

export const ChannelShareView = Type.Object({
  account: Type.String(),
  sku: Nullable(Type.String({ description: 'null: every SKU of the account' })),
  percent: Type.Integer(),
  updatedAt: Instant(),
});

export const AvailableQuery = Type.Object(
  {
    account: Type.String({ minLength: 1, maxLength: 64 }),
    sku: Type.Optional(Type.String({ maxLength: 128 })),
    limit: Limit,
    cursor: Cursor,
  },
  { additionalProperties: false },
);
export type AvailableQuery = Static<typeof AvailableQuery>;

export const AvailableView = Type.Object({
  account: Type.String(),
  items: Type.Array(
    Type.Object({
      sku: Type.String(),
      sellable: Type.Integer({ description: 'sellable over active warehouses' }),
      percent: Type.Integer(),
      available: Type.Integer({ description: 'what this account may sell: floor(sellable × percent / 100)' }),
    }),
  ),
  nextCursor: Nullable(Type.String()),
});
export type AvailableView = Static<typeof AvailableView>;

// ---- Reservations (占用) -----------------------------------------------------------------------

export const ReservationBody = Type.Object(
  {
    channelAccount: Type.Optional(Type.String({ minLength: 1, maxLength: 64, default: 'default' })),
    externalOrderId: Type.String({
      minLength: 1,
      maxLength: 128,
      description: 'the order id the storefront will send to POST /api/orders; the order takes over the hold',
    }),
    lines: Type.Array(Type.Object({ sku: SkuCode, quantity: Quantity() }, { additionalProperties: false }), {
      minItems: 1,
      maxItems: 500,
    }),
    ttlSeconds: Type.Optional(
      Type.Integer({
        minimum: 10,
        maximum: 7 * 24 * 3600,
        description: 'released unless the order is paid by then; default: the payment timeout (30 min)',
      }),
    ),
  },
  {
    additionalProperties: false,
    examples: [{ externalOrderId: 'WEB-20260109-0003', lines: [{ sku: 'TEA-SET-01', quantity: 1 }] }],
  },
);
export type ReservationBody = Static<typeof ReservationBody>;

export const ReservationView = Type.Object({
  id: Type.String(),
  orderId: Nullable(Type.String()),
  checkout: Nullable(Type.Object({ channelAccount: Type.String(), externalOrderId: Type.String() })),
  sku: Type.String(),
  warehouse: Type.String(),
  quantity: Type.Integer({ description: 'units still held' }),
  original: Type.Integer({ description: 'units first reserved' }),
  consumed: Type.Integer({ description: 'units shipped' }),
  status: Type.String({ description: 'active | released | consumed | expired' }),
  reason: Type.String({ description: 'checkout | order' }),
  expiresAt: Nullable(Instant()),
  createdAt: Instant(),
  updatedAt: Instant(),
});
export type ReservationView = Static<typeof ReservationView>;

export const ReservationResponse = Type.Object({
  expiresAt: Nullable(Instant()),
  reservations: Type.Array(ReservationView),
});
