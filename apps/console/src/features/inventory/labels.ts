/** Words for the codes the stock ledger carries (reasons, sources, system actors). */
export const REASON_LABELS: Record<string, { zh: string; en: string }> = {
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
  APPROVED: { zh: '已通过', en: 'Approved' },
  REJECTED: { zh: '已驳回', en: 'Rejected' },
  CHANNEL_CANCELLED: { zh: '渠道已取消', en: 'Cancelled on the channel' },
  EXPIRED: { zh: '已过期', en: 'Expired' },
  OUT_OF_STOCK: { zh: '缺货', en: 'Out of stock' },
  PAYMENT_TIMEOUT: { zh: '超时未支付', en: 'Payment timed out' },
  RECEIPT: { zh: '入库', en: 'Receipt' },
  SHIPPED: { zh: '已发货', en: 'Shipped' },
  SKU_UNMAPPED: { zh: '商品未匹配', en: 'SKU not mapped' },
  TRANSFER: { zh: '调拨', en: 'Transfer' },
  BUYER_REQUEST: { zh: '买家申请取消', en: 'Buyer asked to cancel' },
  MERCHANT_DECISION: { zh: '商家决定', en: "Merchant's decision" },
  COUNT: { zh: '盘点', en: 'Stock count' },
  ORDER: { zh: '订单', en: 'Order' },
  RELEASED: { zh: '已释放', en: 'Released' },
  CANCELLED: { zh: '订单取消', en: 'Order cancelled' },
};

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
