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
