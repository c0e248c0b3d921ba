/**
 * Timeline entries as sentences in the UI language. Pure (no React) so they can be tested: every
 * entry reads as words; details the console does not know fall back to the event's name and note,
 * never to JSON.
 */
import { HOLD_REASON_LABELS, ORDER_STATUS_LABELS, type TimelineEntryView } from '@orderhub/contracts';
import { formatMoney, type Locale } from '../../shared/format.ts';
import {
  CANCEL_REASON_LABELS,
  EVENT_LABELS,
  SOURCE_LABELS,
  SYSTEM_ACTOR_LABELS,
} from '../../shared/messages.ts';
import { paymentSentence } from '../../shared/payments/sentences.ts';

type Labels = Record<string, { zh: string; en: string }>;

function label(labels: Labels, code: string | null | undefined, locale: Locale, fallback?: string) {
  if (!code) return '';
  const l = labels[code];
  if (!l) return fallback ?? code;
  return locale === 'zh-CN' ? l.zh : l.en;
}

function fill(text: string, vars: Record<string, string | number>): string {
  return text.replace(/\{(\w+)\}/g, (m, k: string) => (k in vars ? String(vars[k]) : m));
}

const WORDS = {
  'zh-CN': {
    created: '创建订单 {orderNo}',
    line: '{n} 行',
    lines: '{n} 行',
    amount: '金额 {amount}',
    updated: '渠道更新：{fields}',
    updatedNothing: '渠道更新：内容无变化',
    linesKept: '订单已{status}，商品行未随渠道更新',
    staffKept: '保留后台修改的{parts}（渠道未改动）',
    staffReplaced: '{parts}在后台和渠道都有修改：已采用渠道版本，请核对',
    part_receiver: '收货信息',
    part_lines: '商品行',
    partSep: '、',
    short: '缺货：{items}',
    shortItem: '{sku} 需 {requested} 已锁 {reserved}',
    stockItem: '{sku} ×{quantity}',
    stockAt: ' @{warehouse}',
    tagsAdded: '添加标签：{tags}',
    tagsRemoved: '移除标签：{tags}',
    channelCancelRefused: '渠道取消了订单，但订单已{status}：请拦截包裹或发起售后',
    otherFields: '其他信息',
    list: '、',
    sep: ' · ',
    colon: '：',
    unknownEvent: '系统事件',
    stuckOn: '{from} → {to}',
    noteAdded: '添加卖家备注「{to}」',
    noteChanged: '卖家备注由「{from}」改为「{to}」',
    noteCleared: '删除卖家备注（原为「{from}」）',
    flagAdded: '插{to}',
    flagChanged: '旗帜由{from}改为{to}',
    flagCleared: '取消{from}',
    sellerNote: '修改卖家备注',
    receiverChanged: '修改收货信息',
    fieldChanged: '{field}由「{from}」改为「{to}」',
    fieldSet: '{field}填为「{to}」',
    fieldCleared: '清空{field}（原为「{from}」）',
    lineReplaced: '修改第 {lineNo} 行商品「{title}」',
    giftAdded: '添加赠品「{title}」（{sku}）×{quantity}',
    skuChanged: '商品由 {from} 改为 {to}',
    quantityChanged: '数量由 {from} 改为 {to}',
    unitPriceChanged: '单价由 {from} 改为 {to}',
    totalChanged: '订单金额由 {from} 改为 {to}',
    linesChanged: '修改商品',
  },
  'en-US': {
    created: 'Order {orderNo} created',
    line: '{n} line',
    lines: '{n} lines',
    amount: 'amount {amount}',
    updated: 'Updated from channel: {fields}',
    updatedNothing: 'Updated from channel: nothing changed',
    linesKept: 'lines kept as they were: the order is {status}',
    staffKept: 'the {parts} edited in orderhub kept (unchanged on the channel)',
    staffReplaced:
      '{parts} changed both in orderhub and on the channel: the channel’s version taken, check it',
    part_receiver: 'receiver',
    part_lines: 'lines',
    partSep: ' and ',
    short: 'Short: {items}',
    shortItem: '{sku} needs {requested}, {reserved} reserved',
    stockItem: '{sku} ×{quantity}',
    stockAt: ' @ {warehouse}',
    tagsAdded: 'Tags added: {tags}',
    tagsRemoved: 'Tags removed: {tags}',
    channelCancelRefused:
      'The channel cancelled the order, but it is {status}: intercept the parcel or open an after-sales case',
    otherFields: 'other details',
    list: ', ',
    sep: ' · ',
    colon: ': ',
    unknownEvent: 'System event',
    stuckOn: '{from} → {to}',
    noteAdded: 'Seller note added: “{to}”',
    noteChanged: 'Seller note changed from “{from}” to “{to}”',
    noteCleared: 'Seller note removed (was “{from}”)',
    flagAdded: '{to} flag set',
    flagChanged: 'Flag changed from {from} to {to}',
    flagCleared: '{from} flag removed',
    sellerNote: 'Seller note changed',
    receiverChanged: 'Receiver changed',
    fieldChanged: '{field} changed from “{from}” to “{to}”',
    fieldSet: '{field} set to “{to}”',
    fieldCleared: '{field} cleared (was “{from}”)',
    lineReplaced: 'Line {lineNo} changed: “{title}”',
    giftAdded: 'Gift added: “{title}” ({sku}) ×{quantity}',
    skuChanged: 'item {from} → {to}',
    quantityChanged: 'quantity {from} → {to}',
    unitPriceChanged: 'unit price {from} → {to}',
    totalChanged: 'order amount {from} → {to}',
    linesChanged: 'Items changed',
  },
} as const;

/** 旗帜 colours (1 red … 5 purple) as merchants name them. */
export const FLAG_LABELS: Labels = {
  '1': { zh: '红旗', en: 'Red' },
  '2': { zh: '黄旗', en: 'Yellow' },
  '3': { zh: '绿旗', en: 'Green' },
  '4': { zh: '蓝旗', en: 'Blue' },
  '5': { zh: '紫旗', en: 'Purple' },
};

/** "卖家备注由「A」改为「B」 · 插红旗": what a seller_note entry changed, old and new. */
function sellerNoteText(d: Record<string, unknown> | null, locale: Locale): string[] {
  const w = WORDS[locale];
  const parts: string[] = [];
  const note = obj(d?.['note']);
  if (note) {
    const from = str(note['from']);
    const to = str(note['to']);
    if (to && from) parts.push(fill(w.noteChanged, { from, to }));
    else if (to) parts.push(fill(w.noteAdded, { to }));
    else if (from) parts.push(fill(w.noteCleared, { from }));
  }
  const flag = obj(d?.['flag']);
  if (flag) {
    const name = (v: unknown) => (typeof v === 'number' ? label(FLAG_LABELS, String(v), locale) : '');
    const from = name(flag['from']);
    const to = name(flag['to']);
    if (to && from) parts.push(fill(w.flagChanged, { from, to }));
    else if (to) parts.push(fill(w.flagAdded, { to }));
    else if (from) parts.push(fill(w.flagCleared, { from }));
  }
  if (!parts.length) parts.push(w.sellerNote);
  return parts;
}

/** Receiver fields of a `receiver_changed` entry, as people call them. */
export const RECEIVER_FIELD_LABELS: Labels = {
  name: { zh: '收货人', en: 'Receiver' },
  phone: { zh: '手机号', en: 'Mobile' },
  country: { zh: '国家', en: 'Country' },
  province: { zh: '省份', en: 'Province' },
  city: { zh: '城市', en: 'City' },
  district: { zh: '区县', en: 'District' },
  detail: { zh: '详细地址', en: 'Street address' },
  postalCode: { zh: '邮编', en: 'Postal code' },
};

/** "收货人由「李*」改为「王*」 · 省份由「浙江省」改为「上海市」": each changed field, masked as the server wrote it. */
function receiverText(d: Record<string, unknown> | null, locale: Locale): string[] {
  const w = WORDS[locale];
  const r = obj(d?.['receiver']);
  if (!r) return [w.receiverChanged];
  const parts = Object.keys(RECEIVER_FIELD_LABELS).flatMap((f) => {
    const c = obj(r[f]);
    if (!c) return [];
    const field = label(RECEIVER_FIELD_LABELS, f, locale);
    const from = str(c['from']);
    const to = str(c['to']);
    if (from && to) return [fill(w.fieldChanged, { field, from, to })];
    if (to) return [fill(w.fieldSet, { field, to })];
    if (from) return [fill(w.fieldCleared, { field, from })];
    return [];
  });
  return [
    `${w.receiverChanged}${w.colon}${parts.join(w.list) || label(FIELD_LABELS, 'receiverName', locale)}`,
  ];
}

/** A replaced line or an added gift, field by field; amounts only for those who see them. */
function linesText(d: Record<string, unknown> | null, ctx: SentenceContext): string[] {
  const w = WORDS[ctx.locale];
  if (!d) return [w.linesChanged];
  const title = str(d['title']) ?? str(obj(d['sku'])?.['to']) ?? '';
  const parts: string[] = [];
  const change = (key: string) => {
    const c = obj(d[key]);
    return c && 'from' in c && 'to' in c ? c : null;
  };
  const currency = str(d['currency']);
  const money = (v: unknown) =>
    currency && num(v) !== null ? formatMoney(num(v)!, currency, ctx.locale) : '';
  if (d['action'] === 'gift') {
    parts.push(
      fill(w.giftAdded, {
        title,
        sku: str(obj(d['sku'])?.['to']) ?? '',
        quantity: num(obj(d['quantity'])?.['to']) ?? '',
      }),
    );
  } else {
    parts.push(fill(w.lineReplaced, { lineNo: num(d['lineNo']) ?? '?', title }));
    const sku = change('sku');
    if (sku) parts.push(fill(w.skuChanged, { from: str(sku['from']) ?? '—', to: str(sku['to']) ?? '—' }));
    const qty = change('quantity');
    if (qty)
      parts.push(fill(w.quantityChanged, { from: num(qty['from']) ?? '?', to: num(qty['to']) ?? '?' }));
    const price = change('unitPrice');
    if (price && ctx.showAmounts !== false && currency)
      parts.push(fill(w.unitPriceChanged, { from: money(price['from']), to: money(price['to']) }));
  }
  const total = change('total');
  if (total && ctx.showAmounts !== false && currency)
    parts.push(fill(w.totalChanged, { from: money(total['from']), to: money(total['to']) }));
  return parts;
}

/** Order fields the server names in `updated.details.changed`, as people call them. */
export const FIELD_LABELS: Labels = {
  status: { zh: '状态', en: 'status' },
  holdReason: { zh: '挂起原因', en: 'hold reason' },
  currency: { zh: '币种', en: 'currency' },
  goodsAmount: { zh: '商品金额', en: 'goods amount' },
  shippingFee: { zh: '运费', en: 'shipping' },
  discount: { zh: '优惠', en: 'discount' },
  tax: { zh: '税费', en: 'tax' },
  total: { zh: '金额', en: 'amount' },
  placedAt: { zh: '下单时间', en: 'placed time' },
  placedAtRaw: { zh: '下单时间', en: 'placed time' },
  paidAt: { zh: '支付时间', en: 'paid time' },
  paidAtRaw: { zh: '支付时间', en: 'paid time' },
  buyerId: { zh: '买家', en: 'buyer' },
  buyerNick: { zh: '买家', en: 'buyer' },
  receiverName: { zh: '收货人', en: 'receiver' },
  receiverPhoneIdx: { zh: '收货人手机号', en: 'receiver phone' },
  receiverPhone: { zh: '收货人手机号', en: 'receiver phone' },
  receiverCountry: { zh: '收货地址', en: 'address' },
  receiverProvince: { zh: '收货地址', en: 'address' },
  receiverCity: { zh: '收货地址', en: 'address' },
  receiverDistrict: { zh: '收货地址', en: 'address' },
  receiverDetail: { zh: '收货地址', en: 'address' },
  receiverPostalCode: { zh: '收货地址', en: 'address' },
  receiverPlatformRef: { zh: '收货地址', en: 'address' },
  buyerRemark: { zh: '买家留言', en: 'buyer remark' },
  sellerRemark: { zh: '卖家备注', en: 'seller remark' },
  tags: { zh: '标签', en: 'tags' },
  lineCount: { zh: '商品行', en: 'lines' },
  lines: { zh: '商品行', en: 'lines' },
};

/** What happened to stock, by the `stock` entry's `action`. */
export const STOCK_ACTION_LABELS: Labels = {
  reserved: { zh: '锁定库存', en: 'Reserved' },
  released: { zh: '释放库存', en: 'Released' },
  expired: { zh: '锁定到期释放', en: 'Reservation expired' },
  consumed: { zh: '出库扣减', en: 'Consumed (shipped)' },
  frozen: { zh: '冻结库存', en: 'Frozen' },
  unfrozen: { zh: '解冻库存', en: 'Unfrozen' },
};

/** Why stock moved (the `stock` entry's `reason`), when the server says. */
export const STOCK_REASON_LABELS: Labels = {
  ORDER_CHANGED: { zh: '订单有变更', en: 'order changed' },
  ORDER_CANCELLED: { zh: '订单取消', en: 'order cancelled' },
  ORDER_CLOSED: { zh: '订单关闭', en: 'order closed' },
  PAYMENT_TIMEOUT: { zh: '超时未支付', en: 'payment timed out' },
  SHIPPED: { zh: '已发货', en: 'shipped' },
  RETRY: { zh: '重新锁库', en: 'reservation retried' },
  RESTOCK: { zh: '到货补锁', en: 'stock arrived' },
  OUT_OF_STOCK: { zh: '缺货', en: 'out of stock' },
  MANUAL: { zh: '人工操作', en: 'by hand' },
};

export interface SentenceContext {
  locale: Locale;
  /** The order's number, for entries written before the server put it in the details. */
  orderNo?: string;
  /** False for readers without `orders:amounts`: amounts are left out even if present. */
  showAmounts?: boolean;
  /** A warehouse's name by its code, for entries that carry only the code. */
  warehouseName?: (code: string) => string | undefined;
}

const obj = (v: unknown): Record<string, unknown> | null =>
  v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : null;
const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);
const str = (v: unknown): string | null => (typeof v === 'string' && v ? v : null);

/** A reason code in words: hold reasons, then cancel reasons, then stock reasons. */
export function reasonLabel(code: string | null | undefined, locale: Locale): string {
  if (!code) return '';
  for (const labels of [HOLD_REASON_LABELS as Labels, CANCEL_REASON_LABELS, STOCK_REASON_LABELS])
    if (labels[code]) return label(labels, code, locale);
  return code;
}

export function eventLabel(event: string, locale: Locale): string {
  if (event === 'seller_note') return WORDS[locale].sellerNote;
  if (event === 'receiver_changed') return WORDS[locale].receiverChanged;
  if (event === 'lines_changed') return WORDS[locale].linesChanged;
  return label(EVENT_LABELS, event, locale, WORDS[locale].unknownEvent);
}

/** "CUP-02 ×1 @杭州仓" for each item of a stock entry. */
function stockItems(items: unknown, ctx: SentenceContext): string {
  const w = WORDS[ctx.locale];
  if (!Array.isArray(items)) return '';
  return items
    .map((raw) => {
      const it = obj(raw);
      if (!it) return '';
      const wh = obj(it['warehouse']);
      const code = str(wh?.['code']) ?? str(it['warehouse']);
      const name = str(wh?.['name']) ?? (code ? (ctx.warehouseName?.(code) ?? code) : null);
      return (
        fill(w.stockItem, { sku: str(it['sku']) ?? '?', quantity: num(it['quantity']) ?? '?' }) +
        (name ? fill(w.stockAt, { warehouse: name }) : '')
      );
    })
    .filter(Boolean)
    .join(w.list);
}

/** "CUP-02 需 5 已锁 1" for each short line of an OUT_OF_STOCK hold. */
export function shortageText(short: unknown, locale: Locale): string {
  const w = WORDS[locale];
  if (!Array.isArray(short) || !short.length) return '';
  const items = short
    .map((raw) => {
      const s = obj(raw);
      if (!s) return '';
      return fill(w.shortItem, {
        sku: str(s['sku']) ?? '?',
        requested: num(s['requested']) ?? num(s['quantity']) ?? '?',
        reserved: num(s['reserved']) ?? num(s['available']) ?? 0,
      });
    })
    .filter(Boolean);
  return items.length ? fill(w.short, { items: items.join(w.list) }) : '';
}

/** Changed field names, translated and without repeats ("收货地址、金额"). */
export function changedFieldsText(changed: unknown, locale: Locale): string {
  if (!Array.isArray(changed)) return '';
  const w = WORDS[locale];
  const names = changed.map((f) => {
    const key = String(f).replace(/(Enc|Idx)$/, '');
    return FIELD_LABELS[String(f)] || FIELD_LABELS[key]
      ? label(FIELD_LABELS, FIELD_LABELS[String(f)] ? String(f) : key, locale)
      : w.otherFields;
  });
  return [...new Set(names)].join(w.list);
}

/** The main sentence of a timeline entry. */
export function timelineSentence(e: TimelineEntryView, ctx: SentenceContext): string {
  const { locale } = ctx;
  const w = WORDS[locale];
  const d = obj(e.details);
  const status = (s: string | null | undefined) => label(ORDER_STATUS_LABELS as Labels, s, locale);
  const parts: string[] = [];

  switch (e.event) {
    case 'created': {
      const orderNo = str(d?.['orderNo']) ?? ctx.orderNo ?? '';
      parts.push(
        fill(w.created, { orderNo })
          .replace(/\s+$/, '')
          .replace(/\s{2,}/, ' '),
      );
      const lines = num(d?.['lines']);
      if (lines !== null) parts.push(fill(lines === 1 ? w.line : w.lines, { n: lines }));
      const total = num(d?.['total']);
      const currency = str(d?.['currency']);
      if (total !== null && currency && ctx.showAmounts !== false)
        parts.push(fill(w.amount, { amount: formatMoney(total, currency, locale) }));
      break;
    }
    case 'updated': {
      const fields = changedFieldsText(d?.['changed'], locale);
      parts.push(fields ? fill(w.updated, { fields }) : w.updatedNothing);
      if (d?.['linesKept']) parts.push(fill(w.linesKept, { status: status(e.fromStatus) }));
      const staffParts = (v: unknown) =>
        Array.isArray(v)
          ? v
              .map((p): string | null =>
                p === 'receiver' ? w.part_receiver : p === 'lines' ? w.part_lines : null,
              )
              .filter((p): p is string => p !== null)
              .join(w.partSep)
          : '';
      const kept = staffParts(d?.['staffEditsKept']);
      if (kept) parts.push(fill(w.staffKept, { parts: kept }));
      const replaced = staffParts(d?.['staffEditsReplaced']);
      if (replaced) parts.push(fill(w.staffReplaced, { parts: replaced }));
      break;
    }
    case 'stock': {
      const action = str(d?.['action']);
      const head = action ? label(STOCK_ACTION_LABELS, action, locale, eventLabel('stock', locale)) : '';
      const items = stockItems(d?.['items'], ctx);
      parts.push([head || eventLabel('stock', locale), items].filter(Boolean).join(' '));
      const reason = str(d?.['reason']);
      if (reason) parts.push(reasonLabel(reason, locale));
      break;
    }
    case 'tags_changed': {
      const added = Array.isArray(d?.['added']) ? (d['added'] as unknown[]).map(String) : [];
      const removed = Array.isArray(d?.['removed']) ? (d['removed'] as unknown[]).map(String) : [];
      if (added.length) parts.push(fill(w.tagsAdded, { tags: added.join(w.list) }));
      if (removed.length) parts.push(fill(w.tagsRemoved, { tags: removed.join(w.list) }));
      if (!parts.length) parts.push(eventLabel(e.event, locale));
      break;
    }
    case 'seller_note':
      parts.push(...sellerNoteText(d, locale));
      break;
    case 'receiver_changed':
      parts.push(...receiverText(d, locale));
      break;
    case 'lines_changed':
      parts.push(...linesText(d, ctx));
      break;
    case 'payment':
      parts.push(paymentSentence(d, locale, ctx.showAmounts !== false));
      break;
    case 'channel_cancel_refused':
      parts.push(fill(w.channelCancelRefused, { status: status(e.fromStatus ?? e.toStatus) }));
      break;
    default: {
      // A hold for missing stock says what is short; the reason would only repeat it.
      const short = shortageText(d?.['short'], locale);
      let head = eventLabel(e.event, locale);
      if (e.reasonCode && !(short && e.reasonCode === 'OUT_OF_STOCK'))
        head += w.colon + reasonLabel(e.reasonCode, locale);
      parts.push(head);
      if (short) parts.push(short);
    }
  }
  const note = noteOf(e);
  if (note) parts.push(note);
  return parts.filter(Boolean).join(w.sep);
}

/**
 * The note worth showing: what a person typed. Notes the server wrote for machines ("short: CUP-02
 * 1/5", "cancelled on the channel") are said by the sentence already, in the user's language.
 */
export function noteOf(e: TimelineEntryView): string | null {
  if (!e.note) return null;
  if (e.actorType === 'system' || e.source === 'channel' || e.source === 'system' || e.source === 'job')
    return null;
  return e.note;
}

/** "王五", "系统（库存）", "王五（接口令牌）": who did it, in words (no token ids). */
export function actorText(e: TimelineEntryView, locale: Locale): string {
  if (e.actorType === 'system')
    return label(
      SYSTEM_ACTOR_LABELS,
      e.actorName ?? 'system',
      locale,
      label(SYSTEM_ACTOR_LABELS, 'system', locale),
    );
  const name = e.actorName?.replace(/\s*\(token [^)]*\)\s*$/, '') || label(SOURCE_LABELS, e.source, locale);
  if (e.actorType === 'token') return locale === 'zh-CN' ? `${name}（接口令牌）` : `${name} (API token)`;
  return name;
}

export function sourceText(source: string, locale: Locale): string {
  return label(SOURCE_LABELS, source, locale, source);
}

/** "已支付 → 挂起" when the entry changed the status. */
export function statusChangeText(e: TimelineEntryView, locale: Locale): string | null {
  if (!e.fromStatus || !e.toStatus || e.fromStatus === e.toStatus) return null;
  return fill(WORDS[locale].stuckOn, {
    from: label(ORDER_STATUS_LABELS as Labels, e.fromStatus, locale),
    to: label(ORDER_STATUS_LABELS as Labels, e.toStatus, locale),
  });
}
