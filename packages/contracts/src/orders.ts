import { type Static, type TSchema, Type } from '@sinclair/typebox';

export const ORDER_STATUSES = [
  'pending_payment',
  'paid',
  'under_review',
  'on_hold',
  'approved',
  'fulfilling',
  'shipped',
  'delivered',
  'completed',
  'cancelled',
  'closed',
] as const;
export type OrderStatus = (typeof ORDER_STATUSES)[number];

export const ORDER_STATUS_LABELS: Record<OrderStatus, { zh: string; en: string }> = {
  pending_payment: { zh: '待支付', en: 'Pending payment' },
  paid: { zh: '已支付', en: 'Paid' },
  under_review: { zh: '审核中', en: 'Under review' },
  on_hold: { zh: '挂起', en: 'On hold' },
  approved: { zh: '已审核', en: 'Approved' },
  fulfilling: { zh: '发货中', en: 'Fulfilling' },
  shipped: { zh: '已发货', en: 'Shipped' },
  delivered: { zh: '已签收', en: 'Delivered' },
  completed: { zh: '已完成', en: 'Completed' },
  cancelled: { zh: '已取消', en: 'Cancelled' },
  closed: { zh: '已关闭', en: 'Closed' },
};

export const ORDER_EVENTS = [
  'pay',
  'submit_for_review',
  'hold',
  'release',
  'approve',
  'start_fulfilment',
  'ship',
  'deliver',
  'complete',
  'cancel',
  'close',
] as const;
export type OrderEvent = (typeof ORDER_EVENTS)[number];

/** Why an order is on hold. Each is a queue in the exception view. */
export const HOLD_REASONS = [
  'OUT_OF_STOCK',
  'SKU_UNMAPPED',
  'RISK_REVIEW',
  'ADDRESS_INCOMPLETE',
  'HIGH_VALUE',
  'PAYMENT_MISMATCH',
  'REFUND_REQUESTED',
  'CHANNEL_CHANGED',
  'CUSTOMER_REQUEST',
  'MANUAL',
] as const;
export type HoldReason = (typeof HOLD_REASONS)[number];

export const HOLD_REASON_LABELS: Record<HoldReason, { zh: string; en: string }> = {
  OUT_OF_STOCK: { zh: '缺货', en: 'Out of stock' },
  SKU_UNMAPPED: { zh: '商品未匹配', en: 'SKU not mapped' },
  RISK_REVIEW: { zh: '风控审核', en: 'Risk review' },
  ADDRESS_INCOMPLETE: { zh: '地址不完整', en: 'Address incomplete' },
  HIGH_VALUE: { zh: '大额订单', en: 'High value' },
  PAYMENT_MISMATCH: { zh: '支付金额不符', en: 'Payment mismatch' },
  REFUND_REQUESTED: { zh: '申请退款', en: 'Refund requested' },
  CHANNEL_CHANGED: { zh: '渠道订单变更', en: 'Changed on the channel' },
  CUSTOMER_REQUEST: { zh: '客户要求', en: 'Customer request' },
  MANUAL: { zh: '人工挂起', en: 'Manual hold' },
};

/** Why an order was cancelled or closed. */
export const CANCEL_REASONS = [
  'BUYER_REQUEST',
  'PAYMENT_TIMEOUT',
  'OUT_OF_STOCK',
  'RISK_REJECTED',
  'DUPLICATE_ORDER',
  'CHANNEL_CANCELLED',
  'ADDRESS_UNREACHABLE',
  'REFUNDED',
  'MERCHANT_DECISION',
] as const;
export type CancelReason = (typeof CANCEL_REASONS)[number];

export const CHANNELS = [
  'api',
  'taobao',
  'tmall',
  'jd',
  'pinduoduo',
  'douyin',
  'wechat_mini',
  'pos',
  'shopify',
  'amazon',
] as const;
export type Channel = (typeof CHANNELS)[number];

const Instant = (description: string) =>
  Type.String({ format: 'date-time', description: `${description} (RFC 3339 with offset; stored as UTC)` });
const Fen = (description: string) =>
  Type.Integer({
    minimum: 0,
    maximum: Number.MAX_SAFE_INTEGER,
    description: `${description}, in minor units (fen/cents)`,
  });
const Str = (max: number, description?: string) =>
  Type.String({ minLength: 1, maxLength: max, ...(description ? { description } : {}) });
const Nullable = <T extends TSchema>(t: T) => Type.Union([t, Type.Null()]);

export const MAX_LINES_PER_ORDER = 500;
export const MAX_ORDER_TAGS = 20;
export const MAX_BATCH_ORDERS = 1000;

export const OrderLineInput = Type.Object(
  {
    externalLineId: Type.Optional(Str(64, 'the channel’s id of this line (sub-order id)')),
    channelSku: Str(128, 'the SKU code as the channel knows it'),
    sku: Type.Optional(Str(128, 'master SKU code; leave out when not yet mapped (the order is then held)')),
    title: Type.Optional(Type.String({ maxLength: 500 })),
    quantity: Type.Integer({ minimum: 1, maximum: 1_000_000 }),
    unitPrice: Fen('price of one unit before discounts'),
    discount: Type.Optional(Fen('this line’s share of all discounts; allocated by the server when left out')),
  },
  { additionalProperties: false },
);
export type OrderLineInput = Static<typeof OrderLineInput>;

export const ReceiverInput = Type.Object(
  {
    name: Type.Optional(Str(100)),
    phone: Type.Optional(
      Str(
        40,
        'any common notation; stored as E.164 when valid, masked forms from platforms are kept as given',
      ),
    ),
    country: Type.Optional(
      Type.String({ minLength: 2, maxLength: 2, description: 'ISO 3166-1 alpha-2, default CN' }),
    ),
    province: Type.Optional(Str(50)),
    city: Type.Optional(Str(50)),
    district: Type.Optional(Str(50)),
    detail: Type.Optional(Str(300)),
    postalCode: Type.Optional(Str(20)),
    platformRef: Type.Optional(
      Str(256, 'opaque receiver id or ciphertext from a platform that forbids plaintext (e.g. Taobao OAID)'),
    ),
  },
  { additionalProperties: false },
);

export const IngestOrderBody = Type.Object(
  {
    channelAccount: Str(
      64,
      'code of the channel account (shop) the order comes from; `default` exists on a fresh install',
    ),
    externalOrderId: Str(128, 'the order id on the channel; unique per channel account'),
    sourceVersion: Type.Optional(
      Instant(
        'the channel’s modification time of the order; an older version never overwrites a newer one. Defaults to placedAt',
      ),
    ),
    status: Type.Optional(
      Type.Union([Type.Literal('pending_payment'), Type.Literal('paid'), Type.Literal('cancelled')], {
        description: 'the channel’s payment state; default: paid when paidAt is given, else pending_payment',
      }),
    ),
    currency: Type.String({
      pattern: '^[A-Z]{3}$',
      description: 'ISO 4217 code; all amounts are in its minor unit',
    }),
    placedAt: Instant('when the buyer placed the order'),
    placedAtRaw: Type.Optional(
      Type.String({ maxLength: 64, description: 'the time string exactly as the channel sent it' }),
    ),
    paidAt: Type.Optional(Instant('when the buyer paid')),
    paidAtRaw: Type.Optional(Type.String({ maxLength: 64 })),
    buyer: Type.Optional(
      Type.Object(
        { id: Type.Optional(Str(128)), nick: Type.Optional(Str(128)) },
        { additionalProperties: false },
      ),
    ),
    receiver: Type.Optional(ReceiverInput),
    lines: Type.Array(OrderLineInput, { minItems: 1, maxItems: MAX_LINES_PER_ORDER }),
    shippingFee: Type.Optional(Fen('shipping charged to the buyer')),
    discount: Type.Optional(Fen('all discounts on the order (coupons, promotions)')),
    tax: Type.Optional(Fen('tax charged on top')),
    total: Fen('what the buyer pays: goods + shipping + tax − discount'),
    buyerRemark: Type.Optional(Type.String({ maxLength: 1000 })),
    sellerRemark: Type.Optional(Type.String({ maxLength: 1000 })),
    tags: Type.Optional(Type.Array(Str(32), { maxItems: MAX_ORDER_TAGS, uniqueItems: true })),
    raw: Type.Optional(
      Type.Unknown({
        description:
          'the channel’s original payload; kept verbatim beside the order (the request body is kept when left out)',
      }),
    ),
  },
  {
    additionalProperties: false,
    examples: [
      {
        channelAccount: 'default',
        externalOrderId: 'WEB-20260109-0001',
        currency: 'CNY',
        placedAt: '2026-01-09T00:00:05Z',
        placedAtRaw: '2026-01-09 08:00:05',
        paidAt: '2026-01-09T00:01:10Z',
        receiver: {
          name: '张三',
          phone: '13812345678',
          province: '浙江省',
          city: '杭州市',
          district: '西湖区',
          detail: '文三路 100 号 3 单元 501',
        },
        lines: [
          {
            channelSku: 'TEA-SET-01',
            sku: 'TEA-SET-01',
            title: '青瓷茶具套装',
            quantity: 1,
            unitPrice: 8000,
          },
          { channelSku: 'CUP-02', sku: 'CUP-02', title: '品茗杯', quantity: 2, unitPrice: 1000 },
        ],
        shippingFee: 0,
        discount: 2000,
        total: 8000,
        buyerRemark: '需要发票',
        tags: ['发票'],
      },
    ],
  },
);
export type IngestOrderBody = Static<typeof IngestOrderBody>;

export const IngestBatchBody = Type.Object(
  { orders: Type.Array(IngestOrderBody, { minItems: 1, maxItems: MAX_BATCH_ORDERS }) },
  {
    additionalProperties: false,
    examples: [
      {
        orders: [
          {
            channelAccount: 'default',
            externalOrderId: 'WEB-20260109-0002',
            currency: 'CNY',
            placedAt: '2026-01-09T02:00:00Z',
            lines: [{ channelSku: 'CUP-02', sku: 'CUP-02', quantity: 1, unitPrice: 1000 }],
            total: 1000,
          },
        ],
      },
    ],
  },
);
export type IngestBatchBody = Static<typeof IngestBatchBody>;

export const TransitionBody = Type.Object(
  {
    event: Type.Union(ORDER_EVENTS.map((e) => Type.Literal(e))),
    version: Type.Integer({
      minimum: 1,
      description: 'the order version you saw; a stale one is refused with 409',
    }),
    reasonCode: Type.Optional(
      Str(64, 'required for hold (a hold reason), cancel and close (a cancel reason)'),
    ),
    note: Type.Optional(Type.String({ maxLength: 1000 })),
  },
  { additionalProperties: false, examples: [{ event: 'approve', version: 1, note: '地址已与客户确认' }] },
);
export type TransitionBody = Static<typeof TransitionBody>;

const TagList = (description: string) =>
  Type.Optional(Type.Array(Str(32), { maxItems: MAX_ORDER_TAGS, uniqueItems: true, description }));

export const ChangeTagsBody = Type.Object(
  {
    add: TagList('tags to add; ones the order already carries are ignored'),
    remove: TagList('tags to remove; ones the order does not carry are ignored'),
    version: Type.Integer({
      minimum: 1,
      description: 'the order version you saw; a stale one is refused with 409',
    }),
  },
  { additionalProperties: false, examples: [{ add: ['加急'], remove: ['发票'], version: 1 }] },
);
export type ChangeTagsBody = Static<typeof ChangeTagsBody>;

export const OrderLineView = Type.Object({
  id: Type.String(),
  lineNo: Type.Integer(),
  externalLineId: Nullable(Type.String()),
  channelSku: Type.String(),
  sku: Nullable(Type.String()),
  title: Nullable(Type.String()),
  quantity: Type.Integer(),
  unitPrice: Nullable(Type.Integer({ description: 'null without orders:amounts' })),
  discount: Nullable(Type.Integer({ description: 'null without orders:amounts' })),
  amount: Nullable(
    Type.Integer({ description: 'quantity × unitPrice − discount; null without orders:amounts' }),
  ),
  status: Type.String(),
  gift: Type.Boolean({ description: 'a gift line added at zero price (赠品)' }),
});

export const ReceiverView = Type.Object({
  name: Nullable(Type.String()),
  phone: Nullable(Type.String()),
  country: Type.String(),
  province: Nullable(Type.String()),
  city: Nullable(Type.String()),
  district: Nullable(Type.String()),
  detail: Nullable(Type.String()),
  postalCode: Nullable(Type.String()),
  platformRef: Nullable(Type.String()),
  masked: Type.Boolean(),
});

export const TimelineEntryView = Type.Object({
  id: Type.String(),
  at: Type.String({ format: 'date-time' }),
  event: Type.String(),
  fromStatus: Nullable(Type.String()),
  toStatus: Nullable(Type.String()),
  actorType: Type.String(),
  actorId: Nullable(Type.String()),
  actorName: Nullable(Type.String()),
  ip: Nullable(Type.String()),
  source: Type.String(),
  reasonCode: Nullable(Type.String()),
  note: Nullable(Type.String()),
  // Unknown already admits null; a nullable Unknown reads as an always-true anyOf to OpenAPI linters.
  details: Type.Unknown(),
});
export type TimelineEntryView = Static<typeof TimelineEntryView>;

export const NextEventView = Type.Object({
  event: Type.String(),
  to: Type.String(),
  allowed: Type.Boolean(),
  blockedBy: Nullable(
    Type.Object({
      code: Type.String(),
      message: Type.String(),
      details: Type.Optional(
        Type.Unknown({
          description:
            'what the refusal would carry, e.g. `{ lines: [{ lineNo, sku, quantity, reserved }] }`',
        }),
      ),
    }),
  ),
  needsReason: Nullable(Type.Array(Type.String())),
});

/** Money on an order: minor units, or null for a reader without `orders:amounts` (warehouse staff). */
const Money = Nullable(Type.Integer({ description: 'minor units; null without orders:amounts' }));

/** The human order number: prefix (1–6 of A–Z, 0–9) + local `yymmdd` + a daily sequence of ≥ 5 digits. */
export const ORDER_NO_PATTERN = '^[A-Z0-9]{1,6}[0-9]{6}[0-9]{5,}$';

export const OrderView = Type.Object({
  id: Type.String(),
  orderNo: Type.String({
    description:
      'the human order number (系统单号), e.g. `OH26113000001`: prefix + local date `yymmdd` + daily sequence; unique, gaps allowed. Use `id` for the API',
    examples: ['OH26113000001'],
  }),
  channelAccountId: Type.String(),
  channelAccount: Type.String({ description: "the shop's code (for integrations)" }),
  channelAccountName: Type.String({
    description: "the shop's name as the merchant named it (what staff read)",
  }),
  channel: Type.String(),
  externalOrderId: Type.String(),
  status: Type.String(),
  holdReason: Nullable(Type.String()),
  version: Type.Integer(),
  sourceVersion: Type.String({ format: 'date-time' }),
  currency: Type.String(),
  goodsAmount: Money,
  shippingFee: Money,
  discount: Money,
  tax: Money,
  total: Money,
  placedAt: Type.String({ format: 'date-time' }),
  placedAtRaw: Nullable(Type.String()),
  paidAt: Nullable(Type.String({ format: 'date-time' })),
  paidAtRaw: Nullable(Type.String()),
  buyerId: Nullable(Type.String()),
  buyerNick: Nullable(Type.String()),
  receiver: ReceiverView,
  buyerRemark: Nullable(Type.String()),
  sellerRemark: Nullable(Type.String()),
  tags: Type.Array(Type.String()),
  sellerFlag: Nullable(
    Type.Integer({ minimum: 1, maximum: 5, description: '旗帜: 1 red, 2 yellow, 3 green, 4 blue, 5 purple' }),
  ),
  lineCount: Type.Integer(),
  linesPreview: Type.Optional(
    Type.Array(
      Type.Object({
        sku: Nullable(Type.String()),
        channelSku: Type.String(),
        title: Nullable(Type.String()),
        quantity: Type.Integer(),
      }),
      { description: 'in lists: the first lines of the order (title, SKU, quantity)' },
    ),
  ),
  createdAt: Type.String({ format: 'date-time' }),
  updatedAt: Type.String({ format: 'date-time' }),
});
export type OrderView = Static<typeof OrderView>;

export const OrderDetailView = Type.Intersect([
  OrderView,
  Type.Object({
    lines: Type.Array(OrderLineView),
    timeline: Type.Array(TimelineEntryView),
    nextEvents: Type.Array(NextEventView),
  }),
]);
export type OrderDetailView = Static<typeof OrderDetailView>;

export const IngestResult = Type.Object({
  outcome: Type.Union([
    Type.Literal('created'),
    Type.Literal('updated'),
    Type.Literal('duplicate'),
    Type.Literal('stale'),
  ]),
  order: OrderView,
});
export type IngestResult = Static<typeof IngestResult>;

export const SORTS = [
  'placedAt:desc',
  'placedAt:asc',
  'paidAt:desc',
  'paidAt:asc',
  'updatedAt:desc',
  'updatedAt:asc',
] as const;
export type OrderSort = (typeof SORTS)[number];

/**
 * One exact search term: an orderNo, the channel's order id, or the orderhub id. Any of them is
 * 1–128 visible characters with no whitespace (a channel id is at most 128 long); anything else is
 * refused with 400 `VALIDATION_FAILED` instead of silently matching nothing.
 */
export const ORDER_NO_FILTER_PATTERN = '^[^\\s\\u0000-\\u001f\\u007f]{1,128}$';
export const OrderNoFilter = Type.String({
  minLength: 1,
  maxLength: 128,
  pattern: ORDER_NO_FILTER_PATTERN,
  description:
    'exact match on the order number (`OH26113000001`), the channel’s order id or the orderhub id; 1–128 visible characters, no whitespace',
});

/** Most order numbers one pasted search may hold. */
export const MAX_ORDER_NOS_PER_SEARCH = 500;
/** Hours after payment by which an order must be shipped (the platforms' usual 48 h 发货时效). */
export const SHIP_DEADLINE_HOURS = 48;

/** Splits a pasted list of order numbers (line breaks, spaces, commas, semicolons, full-width too). */
export function splitOrderNos(text: string): string[] {
  return [...new Set(text.split(/[\s,;，；、]+/).filter(Boolean))];
}

/**
 * The status tabs over the order list, following the order machine: each tab is a set of statuses
 * (`all` is every status). One definition, used by the counts, the list and the dashboard.
 */
export const ORDER_TABS = [
  { key: 'all', statuses: [] as OrderStatus[], zh: '全部', en: 'All' },
  { key: 'to_pay', statuses: ['pending_payment'] as OrderStatus[], zh: '待付款', en: 'To pay' },
  { key: 'to_review', statuses: ['paid', 'under_review'] as OrderStatus[], zh: '待审核', en: 'To review' },
  { key: 'to_ship', statuses: ['approved'] as OrderStatus[], zh: '待发货', en: 'To ship' },
  { key: 'fulfilling', statuses: ['fulfilling'] as OrderStatus[], zh: '发货中', en: 'Fulfilling' },
  {
    key: 'shipped',
    statuses: ['shipped', 'delivered', 'completed'] as OrderStatus[],
    zh: '已发货',
    en: 'Shipped',
  },
  { key: 'exception', statuses: ['on_hold'] as OrderStatus[], zh: '异常', en: 'Exceptions' },
  { key: 'cancelled', statuses: ['cancelled', 'closed'] as OrderStatus[], zh: '已取消', en: 'Cancelled' },
] as const;
export type OrderTab = (typeof ORDER_TABS)[number]['key'];

const CsvOrArray = <T extends TSchema>(item: T, description: string) =>
  Type.Optional(Type.Array(item, { maxItems: 50, description }));

export const OrderListQuery = Type.Object(
  {
    status: CsvOrArray(Type.Union(ORDER_STATUSES.map((s) => Type.Literal(s))), 'one or more statuses'),
    channel: CsvOrArray(Type.Union(CHANNELS.map((c) => Type.Literal(c))), 'one or more channels'),
    account: CsvOrArray(
      Type.String({ maxLength: 64, pattern: '^[A-Za-z0-9_.-]+$' }),
      'channel account codes',
    ),
    tag: CsvOrArray(Type.String({ minLength: 1, maxLength: 32 }), 'orders carrying all of these tags'),
    holdReason: CsvOrArray(Type.String({ pattern: '^[A-Z_]{2,64}$' }), 'hold reasons'),
    sku: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 128,
        description: 'a master SKU on any line by prefix (case-insensitive), or a channel SKU exactly',
      }),
    ),
    orderNo: Type.Optional(OrderNoFilter),
    orderNos: Type.Optional(
      Type.String({
        maxLength: 20_000,
        description: `many order numbers at once, as pasted: system numbers, channel ids or API ids separated by line breaks, spaces, commas or semicolons; at most ${MAX_ORDER_NOS_PER_SEARCH}`,
      }),
    ),
    phone: Type.Optional(
      Type.String({
        minLength: 4,
        maxLength: 40,
        description: 'receiver phone in any notation, or only its last 4 digits (尾号)',
      }),
    ),
    receiverName: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 100,
        description: 'receiver name, exact (spaces and case ignored)',
      }),
    ),
    buyerNick: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 128,
        description: 'buyer nickname, by prefix, case-insensitive',
      }),
    ),
    title: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 200,
        description: 'product title on any line, by prefix, case-insensitive',
      }),
    ),
    hasBuyerRemark: Type.Optional(
      Type.Boolean({ description: 'only orders with (true) or without (false) a buyer remark' }),
    ),
    hasSellerRemark: Type.Optional(
      Type.Boolean({ description: 'only orders with (true) or without (false) a seller note' }),
    ),
    sellerFlag: CsvOrArray(
      Type.Integer({ minimum: 1, maximum: 5 }),
      'seller flag colours (1 red … 5 purple)',
    ),
    overdue: Type.Optional(
      Type.Boolean({
        description: `paid more than ${SHIP_DEADLINE_HOURS} h ago and not shipped yet (超时未发货)`,
      }),
    ),
    placedFrom: Type.Optional(Type.String({ format: 'date-time' })),
    placedTo: Type.Optional(Type.String({ format: 'date-time', description: 'exclusive' })),
    paidFrom: Type.Optional(Type.String({ format: 'date-time' })),
    paidTo: Type.Optional(Type.String({ format: 'date-time', description: 'exclusive' })),
    localDay: Type.Optional(
      Type.String({ format: 'date', description: 'orders placed on this calendar day in `tz`' }),
    ),
    tz: Type.Optional(
      Type.String({ maxLength: 64, description: 'IANA time zone for localDay; default TZ_DEFAULT' }),
    ),
    sort: Type.Optional(Type.Union(SORTS.map((s) => Type.Literal(s)))),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50 })),
    cursor: Type.Optional(Type.String({ maxLength: 200 })),
  },
  { additionalProperties: false },
);
export type OrderListQuery = Static<typeof OrderListQuery>;

/** The list's filters without status, sort and paging: what the tab counts take. */
export const OrderCountsQuery = Type.Omit(OrderListQuery, ['status', 'sort', 'limit', 'cursor'], {
  additionalProperties: false,
});
export type OrderCountsQuery = Static<typeof OrderCountsQuery>;

export const OrderCountsResponse = Type.Object({
  total: Type.Integer({ description: 'orders matching the filters, every status' }),
  tabs: Type.Record(Type.String(), Type.Integer(), { description: 'per tab key of ORDER_TABS' }),
  statuses: Type.Record(Type.String(), Type.Integer(), { description: 'per order status' }),
});
export type OrderCountsResponse = Static<typeof OrderCountsResponse>;

export const OrderListResponse = Type.Object({
  items: Type.Array(OrderView),
  nextCursor: Nullable(Type.String()),
});

/**
 * Order editing before approval (docs/orders.md): statuses in which the receiver and the lines may
 * change. From approval on the warehouse works from what was approved.
 */
export const ORDER_EDITABLE_STATUSES = ['pending_payment', 'paid', 'under_review', 'on_hold'] as const;
/** Most units one edited or manual line may carry (a typo guard; channels' own orders may carry more). */
export const MAX_EDIT_QUANTITY = 9999;
const Version = Type.Integer({
  minimum: 1,
  description: 'the order version you saw; a stale one is refused with 409 ORDER_VERSION_CONFLICT',
});
const EditReason = Type.Optional(
  Type.String({ maxLength: 200, description: 'why (kept on the timeline and in the audit log)' }),
);
const EditQuantity = Type.Integer({ minimum: 1, maximum: MAX_EDIT_QUANTITY });

/** A receiver as staff type it: name, phone and province–city–district–detail all required. */
export const ReceiverEdit = Type.Object(
  {
    name: Str(100),
    phone: Type.String({ minLength: 5, maxLength: 32 }),
    country: Type.Optional(Type.String({ minLength: 2, maxLength: 2, description: 'default CN' })),
    province: Str(50),
    city: Str(50),
    district: Type.Optional(Type.String({ maxLength: 50 })),
    detail: Str(300),
    postalCode: Type.Optional(Type.String({ maxLength: 20 })),
  },
  { additionalProperties: false },
);
export type ReceiverEdit = Static<typeof ReceiverEdit>;

export const EditReceiverBody = Type.Object(
  { version: Version, receiver: ReceiverEdit, reason: EditReason },
  {
    additionalProperties: false,
    examples: [
      {
        version: 1,
        receiver: {
          name: '李四',
          phone: '13900001234',
          province: '上海市',
          city: '上海市',
          district: '浦东新区',
          detail: '世纪大道 100 号 8 楼',
        },
        reason: '客户来电改地址',
      },
    ],
  },
);
export type EditReceiverBody = Static<typeof EditReceiverBody>;

export const ReplaceLineBody = Type.Object(
  {
    version: Version,
    sku: Type.Optional(Str(128, 'the master SKU the line becomes; left out, the SKU stays')),
    quantity: Type.Optional(EditQuantity),
    unitPrice: Type.Optional(Fen('price of one unit; left out, the line keeps its price')),
    reason: EditReason,
  },
  {
    additionalProperties: false,
    examples: [{ version: 1, sku: 'TEA-SET-01', quantity: 3, reason: '客户换颜色' }],
  },
);
export type ReplaceLineBody = Static<typeof ReplaceLineBody>;

export const AddGiftLineBody = Type.Object(
  {
    version: Version,
    sku: Str(128, 'the master SKU given away'),
    quantity: EditQuantity,
    reason: EditReason,
  },
  {
    additionalProperties: false,
    examples: [{ version: 1, sku: 'TEA-SET-01', quantity: 1, reason: '老客户赠品' }],
  },
);
export type AddGiftLineBody = Static<typeof AddGiftLineBody>;

export const ManualOrderBody = Type.Object(
  {
    requestId: Type.String({
      minLength: 8,
      maxLength: 64,
      pattern: '^[A-Za-z0-9_-]+$',
      description: 'chosen by the client once per order form: sending it again returns the same order',
    }),
    channelAccount: Str(64, 'one of your own shops (自营: api, wechat_mini, pos, shopify channels)'),
    receiver: ReceiverEdit,
    buyerNick: Type.Optional(Type.String({ maxLength: 128 })),
    lines: Type.Array(
      Type.Object(
        { sku: Str(128), quantity: EditQuantity, unitPrice: Fen('price of one unit') },
        { additionalProperties: false },
      ),
      { minItems: 1, maxItems: 100 },
    ),
    shippingFee: Type.Optional(Fen('shipping charged to the buyer')),
    discount: Type.Optional(Fen('a discount on the whole order, shared over the lines')),
    paid: Type.Boolean({ description: 'paid already (cash, transfer) or waiting for payment' }),
    buyerRemark: Type.Optional(Type.String({ maxLength: 1000 })),
    sellerRemark: Type.Optional(Type.String({ maxLength: 1000 })),
  },
  {
    additionalProperties: false,
    examples: [
      {
        requestId: 'phone-20260109-0001',
        channelAccount: 'default',
        receiver: {
          name: '王五',
          phone: '13700005678',
          province: '浙江省',
          city: '杭州市',
          district: '西湖区',
          detail: '文三路 100 号',
        },
        lines: [{ sku: 'TEA-SET-01', quantity: 2, unitPrice: 8000 }],
        shippingFee: 800,
        paid: true,
        sellerRemark: '电话订单',
      },
    ],
  },
);
export type ManualOrderBody = Static<typeof ManualOrderBody>;

/** One receiver an order had before an edit (masked unless revealed). */
export const ReceiverHistoryView = Type.Object({
  items: Type.Array(
    Type.Object({
      id: Type.String(),
      at: Type.String({ format: 'date-time' }),
      replacedBy: Type.String({ description: 'who changed it' }),
      receiver: ReceiverView,
    }),
  ),
});
export type ReceiverHistoryView = Static<typeof ReceiverHistoryView>;
