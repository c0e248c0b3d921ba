import { HOLD_REASON_LABELS, ORDER_STATUS_LABELS, STOCK_MOVEMENT_REASON_LABELS } from '@orderhub/contracts';
import type { Locale } from '../../shared/format.ts';
import { CANCEL_REASON_LABELS } from '../../shared/messages.ts';

/** Words for the codes the stock ledger carries (reasons, sources, system actors). */
export const REASON_LABELS: Record<string, { zh: string; en: string }> = {
  ...STOCK_MOVEMENT_REASON_LABELS,
  CHANNEL_CANCELLED: { zh: '渠道已取消', en: 'Cancelled on the channel' },
  OUT_OF_STOCK: { zh: '缺货', en: 'Out of stock' },
  SKU_UNMAPPED: { zh: '商品未匹配', en: 'SKU not mapped' },
  BUYER_REQUEST: { zh: '买家申请取消', en: 'Buyer asked to cancel' },
  MERCHANT_DECISION: { zh: '商家决定', en: "Merchant's decision" },
  COUNT: { zh: '盘点', en: 'Stock count' },
  RELEASED: { zh: '已释放', en: 'Released' },
  CANCELLED: { zh: '订单取消', en: 'Order cancelled' },
};

/**
 * A ledger reason in words. A release after a cancel carries the cancel (or hold) reason, or — for a
 * cancel without one — the status the order had: "订单取消（原为待付款）".
 */
export function ledgerReason(code: string | null | undefined, locale: Locale): string {
  if (!code) return '';
  const zh = locale === 'zh-CN';
  for (const labels of [REASON_LABELS, CANCEL_REASON_LABELS, HOLD_REASON_LABELS as typeof REASON_LABELS]) {
    const l = labels[code];
    if (l) return zh ? l.zh : l.en;
  }
  const status = (ORDER_STATUS_LABELS as typeof REASON_LABELS)[code];
  if (status) return zh ? `订单取消（原为${status.zh}）` : `Order cancelled (was ${status.en.toLowerCase()})`;
  return zh ? '其他原因' : 'Other reason';
}

export const SOURCE_TYPE_LABELS: Record<string, { zh: string; en: string }> = {
  order: { zh: '订单', en: 'Order' },
  count: { zh: '盘点', en: 'Stock count' },
  freeze: { zh: '冻结', en: 'Freeze' },
  receipt: { zh: '入库单', en: 'Receipt' },
  reservation: { zh: '占用', en: 'Reservation' },
  transfer: { zh: '调拨单', en: 'Transfer' },
  aftersales_case: { zh: '售后单', en: 'After-sales case' },
};

export const ACTOR_LABELS: Record<string, { zh: string; en: string }> = {
  system: { zh: '系统', en: 'System' },
  inventory: { zh: '系统（库存）', en: 'System (inventory)' },
  ingest: { zh: '系统（接单）', en: 'System (ingest)' },
  user: { zh: '用户', en: 'User' },
  token: { zh: 'API 令牌', en: 'API token' },
};

/** What is wrong with a row of a refused count sheet. */
export const PROBLEM_LABELS: Record<string, { zh: string; en: string }> = {
  HEADER_INVALID: {
    zh: '表头缺少必需的列（sku、warehouse、counted）',
    en: 'Header lacks a column (sku, warehouse, counted)',
  },
  SKU_MISSING: { zh: '没有填商品编码', en: 'No SKU' },
  SKU_UNKNOWN: { zh: '商品编码不在商品库中', en: 'SKU not in the master' },
  WAREHOUSE_MISSING: { zh: '没有填仓库', en: 'No warehouse' },
  WAREHOUSE_UNKNOWN: { zh: '仓库不存在', en: 'Unknown warehouse' },
  QUANTITY_INVALID: { zh: '实盘数量不是不小于 0 的整数', en: 'Counted is not a whole number ≥ 0' },
  DUPLICATE_ROW: { zh: '与前面的行重复（同一商品和仓库）', en: 'Same SKU and warehouse as an earlier row' },
};
