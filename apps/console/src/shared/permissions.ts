import type { Permission } from '@orderhub/contracts';

/** Permissions in words (the codes stay for the API and the `data-permission` attribute). */
export const PERMISSION_LABELS: Record<Permission, { zh: string; en: string }> = {
  'orders:read': { zh: '查看订单', en: 'View orders' },
  'orders:ingest': { zh: '接收订单', en: 'Ingest orders' },
  'orders:review': { zh: '审核、挂起、放行订单', en: 'Approve, hold and release orders' },
  'orders:cancel': { zh: '取消订单', en: 'Cancel orders' },
  'orders:fulfil': { zh: '发货与签收', en: 'Fulfil, ship and deliver' },
  'pii:read': { zh: '查看完整收件信息', en: 'See full receiver details' },
  'channels:read': { zh: '查看渠道', en: 'View channels' },
  'channels:manage': { zh: '管理渠道', en: 'Manage channels' },
  'audit:read': { zh: '查看审计日志', en: 'Read the audit log' },
  'users:manage': { zh: '管理用户', en: 'Manage users' },
  'tokens:manage': { zh: '管理 API 令牌', en: 'Manage API tokens' },
  'inventory:read': { zh: '查看库存', en: 'View stock' },
  'inventory:adjust': { zh: '入库、调整与盘点', en: 'Receive, adjust and count stock' },
  'inventory:freeze': { zh: '冻结库存', en: 'Freeze stock' },
  'inventory:plan': { zh: '仓库与安全库存设置', en: 'Plan warehouses and safety stock' },
  'catalog:manage': { zh: '管理商品', en: 'Manage the SKU master' },
  'orders:amounts': { zh: '查看金额', en: 'See amounts' },
  'payments:read': { zh: '查看支付与资金凭证', en: 'View payments and fund vouchers' },
  'payments:collect': { zh: '发起收款', en: 'Start payments' },
  'payments:refund': { zh: '退款', en: 'Refund payments' },
  'payments:manage': { zh: '管理支付账户与密钥', en: 'Manage payment accounts and secrets' },
};
