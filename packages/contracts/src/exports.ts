/**
 * The fields an order export can carry, for the server (which writes them) and the console (whose
 * field chooser lists them). `kind` says how a spreadsheet must store the value:
 * - `id`: digit strings that must stay text (18–19-digit Taobao ids, waybills, phones);
 * - `money`: a number in the currency's major unit with a money format;
 * - `time`: a real date-time in the reader's zone;
 * - `label`: a code shown in the reader's language (status, hold reason, channel);
 * - `int`, `text`.
 */
export type ExportFieldKind = 'id' | 'text' | 'money' | 'time' | 'label' | 'int';

export interface ExportFieldSpec {
  key: string;
  /** `line` fields exist only in the line-level export (one row per order line). */
  level: 'order' | 'line';
  kind: ExportFieldKind;
  zh: string;
  en: string;
  /** Chosen when the request names no fields. */
  default: boolean;
  /** Column width in characters (XLSX). */
  width: number;
}

const f = (
  key: string,
  level: 'order' | 'line',
  kind: ExportFieldKind,
  zh: string,
  en: string,
  width: number,
  byDefault = true,
): ExportFieldSpec => ({ key, level, kind, zh, en, width, default: byDefault });

export const EXPORT_FIELDS: readonly ExportFieldSpec[] = [
  f('orderNo', 'order', 'id', '系统单号', 'Order no.', 16),
  f('externalOrderId', 'order', 'id', '平台单号', 'Channel order id', 22),
  f('channel', 'order', 'label', '渠道', 'Channel', 10),
  f('channelAccount', 'order', 'text', '店铺', 'Shop', 14),
  f('status', 'order', 'label', '状态', 'Status', 10),
  f('holdReason', 'order', 'label', '挂起原因', 'Hold reason', 12),
  f('currency', 'order', 'text', '币种', 'Currency', 6),
  f('goodsAmount', 'order', 'money', '商品金额', 'Goods', 12),
  f('shippingFee', 'order', 'money', '运费', 'Shipping', 10),
  f('discount', 'order', 'money', '优惠', 'Discount', 10),
  f('tax', 'order', 'money', '税费', 'Tax', 10, false),
  f('total', 'order', 'money', '实付金额', 'Total', 12),
  f('placedAt', 'order', 'time', '下单时间', 'Placed', 20),
  f('paidAt', 'order', 'time', '付款时间', 'Paid', 20),
  f('buyerNick', 'order', 'text', '买家昵称', 'Buyer', 14, false),
  f('receiverName', 'order', 'text', '收货人', 'Receiver', 10),
  f('receiverPhone', 'order', 'id', '手机号', 'Phone', 14),
  f('province', 'order', 'text', '省', 'Province', 10),
  f('city', 'order', 'text', '市', 'City', 10),
  f('district', 'order', 'text', '区县', 'District', 10),
  f('buyerRemark', 'order', 'text', '买家留言', 'Buyer remark', 24, false),
  f('sellerRemark', 'order', 'text', '卖家备注', 'Seller note', 24, false),
  f('tags', 'order', 'text', '标签', 'Tags', 14),
  f('lineSummary', 'order', 'text', '商品', 'Items', 40),
  f('lineCount', 'order', 'int', '商品行数', 'Lines', 8, false),
  f('orderId', 'order', 'id', '接口编号', 'API id', 32, false),
  f('lineNo', 'line', 'int', '行号', 'Line', 6),
  f('sku', 'line', 'id', '商品编码', 'SKU', 16),
  f('channelSku', 'line', 'id', '平台商品编码', 'Channel SKU', 16),
  f('title', 'line', 'text', '商品名称', 'Title', 30),
  f('quantity', 'line', 'int', '数量', 'Quantity', 8),
  f('unitPrice', 'line', 'money', '单价', 'Unit price', 10),
  f('lineDiscount', 'line', 'money', '行优惠', 'Line discount', 10),
  f('lineAmount', 'line', 'money', '行金额', 'Line amount', 12),
];

export const EXPORT_FIELD_KEYS: readonly string[] = EXPORT_FIELDS.map((x) => x.key);

/** The fields an export of `level` may carry (a line export has the order's fields too). */
export function exportFieldsFor(level: 'order' | 'line'): ExportFieldSpec[] {
  return EXPORT_FIELDS.filter((x) => level === 'line' || x.level === 'order');
}

/** Most fields one export may name (every field there is). */
export const MAX_EXPORT_FIELDS = EXPORT_FIELDS.length;
