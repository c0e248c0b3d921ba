import type { ErrorCode } from './errors.ts';
import { HOLD_REASON_LABELS, ORDER_STATUS_LABELS } from './orders.ts';

export type MessageLocale = 'zh-CN' | 'en-US';

/**
 * Every error code in words, in both languages, for people (the console shows these; the API's
 * `detail` stays English for integrators). `{name}` is filled from the problem's `details` where it
 * carries that field; a message reads right without it too.
 */
type Words = { zh: string; en: string };

export const ERROR_MESSAGES: Record<ErrorCode, Words> & Partial<Record<string, Words>> = {
  VALIDATION_FAILED: { zh: '填写的内容有误{fields}', en: 'Some input is not valid{fields}' },
  MALFORMED_JSON: { zh: '请求内容不是有效的 JSON', en: 'The request is not valid JSON' },
  TEXT_INVALID: {
    zh: '文字中含有不允许的字符（如空字符或无效编码）{fields}',
    en: 'The text holds characters that are not allowed (such as NUL or invalid encoding){fields}',
  },
  JSON_TOO_DEEP: { zh: '请求内容嵌套层级过深', en: 'The request is nested too deeply' },
  INVALID_TIME_ZONE: { zh: '无法识别的时区', en: 'Unknown time zone' },
  INVALID_CURSOR: {
    zh: '翻页位置已失效，请回到第一页',
    en: 'This page position no longer applies: go back to the first page',
  },
  EXPORT_NO_FIELDS: { zh: '请至少选择一个导出字段', en: 'Choose at least one field to export' },
  EXPORT_FIELD_UNKNOWN: { zh: '没有这个导出字段：{field}', en: 'There is no such export field: {field}' },
  ORDER_NOS_TOO_MANY: {
    zh: '一次最多查询 {limit} 个单号，您输入了 {given} 个',
    en: 'At most {limit} order numbers per search; you entered {given}',
  },
  UNSUPPORTED_MEDIA_TYPE: { zh: '不支持的请求格式', en: 'This request format is not supported' },
  PAYLOAD_TOO_LARGE: { zh: '上传的内容太大', en: 'What was sent is too large' },
  UNAUTHENTICATED: { zh: '请先登录', en: 'Please log in' },
  INVALID_CREDENTIALS: { zh: '用户名或密码错误', en: 'Wrong user name or password' },
  FORBIDDEN: { zh: '您的角色没有此权限{permission}', en: 'Your role may not do this{permission}' },
  NOT_FOUND: { zh: '找不到要访问的内容', en: 'Not found' },
  ORDER_NOT_FOUND: { zh: '找不到这个订单', en: 'No such order' },
  USER_NOT_FOUND: { zh: '找不到这个用户', en: 'No such user' },
  TOKEN_NOT_FOUND: { zh: '找不到这个令牌', en: 'No such token' },
  ORDER_INVALID_TRANSITION: {
    zh: '订单当前状态（{status}）不能执行此操作',
    en: 'The order’s status ({status}) does not allow this',
  },
  ORDER_NOT_EDITABLE: {
    zh: '订单已审核或已发货，不能再修改（只有待付款、待审核、已付款和挂起的订单可以修改）',
    en: 'This order is approved or on its way and can no longer be edited (only unpaid, paid, under review and held orders can)',
  },
  ORDER_LINE_UNKNOWN: { zh: '这个订单里没有这一行商品', en: 'This order has no such line' },
  ORDER_ADDRESS_INCOMPLETE: {
    zh: '收货地址不完整：请填写{field}',
    en: 'The address is incomplete: fill in {field}',
  },
  ORDER_LINES_TOO_MANY: {
    zh: '一个订单最多 {limit} 行商品',
    en: 'An order holds at most {limit} lines',
  },
  MANUAL_ORDER_ACCOUNT_NOT_OWN: {
    zh: '手工建单只能选择自营店铺（平台店铺的订单从平台同步）',
    en: 'Manual orders go to one of your own shops (orders of platform shops come from the platform)',
  },
  ORDER_VERSION_CONFLICT: {
    zh: '订单刚被其他人修改过，请刷新后再试',
    en: 'Someone changed the order meanwhile: reload and try again',
  },
  ORDER_GUARD_FAILED: {
    zh: '{guard}，不能执行此操作{lineList}',
    en: '{guard}: this cannot be done{lineList}',
  },
  ORDER_STOCK_NOT_RESERVED: {
    zh: '库存未预占，不能执行此操作：先补足库存并重新预占',
    en: 'Stock is not reserved for this order: restock and retry the reservation first',
  },
  USERNAME_TAKEN: { zh: '用户名已被使用', en: 'This user name is taken' },
  CHANNEL_ACCOUNT_CODE_TAKEN: { zh: '店铺编码已被使用', en: 'This shop code is taken' },
  IDEMPOTENCY_KEY_REUSED: {
    zh: '同一个幂等键用于了不同的请求',
    en: 'The same idempotency key was used for a different request',
  },
  IDEMPOTENCY_KEY_IN_PROGRESS: {
    zh: '相同的请求正在处理中，请稍候',
    en: 'The same request is still being processed: wait a moment',
  },
  CHANNEL_ACCOUNT_UNKNOWN: { zh: '没有这个店铺', en: 'No such shop' },
  CHANNEL_ACCOUNT_INACTIVE: { zh: '店铺已停用', en: 'This shop is deactivated' },
  CHANNEL_CREDENTIALS_INVALID: {
    zh: '店铺授权信息有误{fields}',
    en: 'The shop’s credentials are not valid{fields}',
  },
  CHANNEL_SETTINGS_INVALID: {
    zh: '店铺的接口设置有误{fields}',
    en: 'The shop’s connector settings are not valid{fields}',
  },
  CHANNEL_NOT_CONNECTED: { zh: '店铺尚未接入平台授权', en: 'This shop is not connected to its platform' },
  CHANNEL_PUSH_REJECTED: { zh: '平台推送的签名校验失败', en: 'The platform push failed its signature check' },
  INBOX_NOT_REPLAYABLE: { zh: '这条消息不能重新处理', en: 'This message cannot be replayed' },
  CURRENCY_UNKNOWN: { zh: '无法识别的币种', en: 'Unknown currency' },
  ORDER_AMOUNTS_INCONSISTENT: {
    zh: '订单金额对不上：实付应等于商品金额 + 运费 + 税费 − 优惠',
    en: 'The amounts do not add up: total must be goods + shipping + tax − discount',
  },
  ORDER_REASON_REQUIRED: { zh: '请选择原因', en: 'Choose a reason' },
  ORDER_REASON_UNKNOWN: { zh: '无法识别的原因', en: 'Unknown reason' },
  PHONE_INVALID: {
    zh: '手机号不完整：请输入完整号码或后 4 位数字',
    en: 'Not a phone number: enter the full number or its last 4 digits',
  },
  TIME_INVALID: { zh: '时间无效{fields}', en: 'The time is not valid{fields}' },
  CANNOT_DEACTIVATE_SELF: { zh: '不能停用自己的账号', en: 'You cannot deactivate yourself' },
  USER_SCOPE_UNKNOWN_ACCOUNT: {
    zh: '数据范围里有不存在的店铺：{accounts}',
    en: 'The data scope names a shop that does not exist: {accounts}',
  },
  USER_SCOPE_UNKNOWN_WAREHOUSE: {
    zh: '数据范围里有不存在的仓库：{warehouses}',
    en: 'The data scope names a warehouse that does not exist: {warehouses}',
  },
  INVENTORY_INSUFFICIENT: { zh: '可用库存不足', en: 'Not enough stock available' },
  INVENTORY_LIMIT: { zh: '库存数量超出上限', en: 'The quantity is beyond what stock can hold' },
  SKU_UNKNOWN: { zh: '没有这个商品编码', en: 'No such SKU' },
  SKU_CODE_TAKEN: { zh: '商品编码已存在', en: 'This SKU code exists' },
  SKU_INACTIVE: { zh: '商品已停用', en: 'This SKU is deactivated' },
  WAREHOUSE_UNKNOWN: { zh: '没有这个仓库', en: 'No such warehouse' },
  WAREHOUSE_CODE_TAKEN: { zh: '仓库编码已存在', en: 'This warehouse code exists' },
  WAREHOUSE_INACTIVE: { zh: '仓库已停用', en: 'This warehouse is deactivated' },
  FREEZE_EXCEEDS_AVAILABLE: { zh: '冻结数量超过可用库存', en: 'The freeze is more than what is available' },
  FREEZE_NOT_ACTIVE: { zh: '这笔冻结已解除', en: 'This freeze is no longer active' },
  TRANSFER_SAME_WAREHOUSE: { zh: '调出和调入仓库不能相同', en: 'Transfer from and to the same warehouse' },
  TRANSFER_NOT_IN_TRANSIT: { zh: '调拨单不在在途状态', en: 'The transfer is not in transit' },
  COUNT_SHEET_INVALID: {
    zh: '盘点表有误：请按行查看错误',
    en: 'The count sheet has errors: see them per row',
  },
  COUNT_SHEET_STALE: {
    zh: '盘点预览后库存已变化，请重新预览',
    en: 'Stock changed since the preview: preview again',
  },
  COUNT_ALREADY_APPLIED: { zh: '这份盘点已经生效', en: 'This count was applied already' },
  COUNT_NOT_READY: { zh: '盘点预览尚未完成', en: 'The count preview is not finished yet' },
  IMPORT_TOO_LARGE: { zh: '文件太大{limitText}', en: 'The file is too large{limitText}' },
  IMPORT_ROW_LIMIT: { zh: '行数超出上限{limitText}', en: 'Too many rows{limitText}' },
  IMPORT_CELL_LIMIT: { zh: '表格范围超出上限{limitText}', en: 'The sheet reaches too far{limitText}' },
  IMPORT_FORMAT_INVALID: {
    zh: '无法读取该文件：请上传 CSV 或 XLSX',
    en: 'The file cannot be read: upload CSV or XLSX',
  },
  IMPORT_ENCODING_INVALID: {
    zh: '文件编码无法识别：请保存为 UTF-8 或 GBK',
    en: 'Unknown file encoding: save it as UTF-8 or GBK',
  },
  ADJUSTMENT_BELOW_COMMITTED: {
    zh: '调整后的库存会低于已占用数量',
    en: 'The adjustment would leave less stock than is committed',
  },
  RESERVATION_EXISTS: { zh: '该订单已有库存预占', en: 'This order already has a reservation' },
  RESERVATION_NOT_ACTIVE: { zh: '这笔预占已不再有效', en: 'This reservation is no longer active' },
  PAYMENT_ACCOUNT_UNKNOWN: { zh: '没有这个支付账户', en: 'No such payment account' },
  PAYMENT_ACCOUNT_INACTIVE: { zh: '支付账户已停用', en: 'This payment account is deactivated' },
  PAYMENT_ACCOUNT_CODE_TAKEN: { zh: '支付账户编码已存在', en: 'This payment account code exists' },
  PAYMENT_SETTINGS_INVALID: {
    zh: '支付账户设置有误{fields}',
    en: 'The payment account’s settings are not valid{fields}',
  },
  PAYMENT_VOUCHER_REQUIRED: {
    zh: '该订单通过支付账户收款，只能由到账凭证标记为已支付',
    en: 'This order is paid through a payment account: only a confirmed payment marks it paid',
  },
  PAYMENT_NOT_PAYABLE: { zh: '订单当前状态不能发起支付', en: 'The order cannot be paid in its status' },
  PAYMENT_PROVIDER_FAILED: {
    zh: '支付平台暂时无法处理，已记录，请稍后重试',
    en: 'The payment provider could not handle it now; it is recorded: try again later',
  },
  REFUND_EXCEEDS_PAID: { zh: '退款金额超过可退金额', en: 'The refund is more than what can be refunded' },
  REFUND_REVIEW_CLOSED: { zh: '这条退款申请已处理过', en: 'This refund request was decided already' },
  REFUND_NOTHING_PAID: { zh: '订单没有可退款的支付', en: 'Nothing was paid on this order to refund' },
  RATE_LIMITED: { zh: '操作太频繁，请稍后再试', en: 'Too many attempts: try again shortly' },
  INTERNAL: {
    zh: '系统出错，请将错误码告知管理员',
    en: 'Something went wrong on our side: tell an administrator the code',
  },
  VIEW_NOT_FOUND: {
    zh: '找不到这个视图（可能已被删除或不再共享给您）',
    en: 'No such view (it may have been deleted or is no longer shared with you)',
  },
  VIEW_NOT_OWNER: {
    zh: '这个视图属于{owner}，只有创建者可以修改',
    en: 'This view belongs to {owner}: only its owner may change it',
  },
  VIEW_NAME_TAKEN: { zh: '已有名为“{name}”的视图', en: 'You already have a view named “{name}”' },
  VIEW_NAME_INVALID: {
    zh: '视图名称不能为空，最多 {max} 个字',
    en: 'A view’s name must not be empty and has at most {max} characters',
  },
  VIEW_ROLE_UNKNOWN: { zh: '没有这个角色：{role}', en: 'There is no such role: {role}' },
  VIEW_FILTER_UNKNOWN: {
    zh: '视图中有订单列表不认识的筛选条件：{key}',
    en: 'The view holds a filter the order list does not know: {key}',
  },
  VIEW_FILTER_PERSONAL: {
    zh: '视图不能保存手机号、收货人等个人信息筛选：{key}',
    en: 'A view cannot keep filters on personal data such as phone or receiver: {key}',
  },
  VIEW_QUERY_TOO_LONG: {
    zh: '视图的筛选条件太长{limitText}',
    en: 'The view’s filters are too long{limitText}',
  },
  VIEW_LIMIT: {
    zh: '每人每个页面最多保存 {limit} 个视图',
    en: 'At most {limit} views per person and page',
  },
  VIEW_VERSION_CONFLICT: {
    zh: '视图刚被修改过，请刷新后再试',
    en: 'The view changed meanwhile: reload and try again',
  },
  SERVICE_UNAVAILABLE: {
    zh: '服务暂时不可用，请稍后再试',
    en: 'The service is unavailable for now: try again later',
  },
};

/**
 * Field names in words, for validation messages (`phone` → 手机号). The last segment of a path
 * names the field (`/receiver/phone`, `lines/2/quantity`).
 */
export const FIELD_LABELS: Record<string, { zh: string; en: string }> = {
  phone: { zh: '手机号', en: 'Phone' },
  name: { zh: '名称', en: 'Name' },
  username: { zh: '用户名', en: 'User name' },
  password: { zh: '密码', en: 'Password' },
  displayName: { zh: '显示名称', en: 'Display name' },
  role: { zh: '角色', en: 'Role' },
  orderNo: { zh: '订单号', en: 'Order no.' },
  orderNos: { zh: '订单号', en: 'Order numbers' },
  externalOrderId: { zh: '平台单号', en: 'Channel order id' },
  sku: { zh: '商品编码', en: 'SKU' },
  channelSku: { zh: '平台商品编码', en: 'Channel SKU' },
  title: { zh: '商品名称', en: 'Title' },
  quantity: { zh: '数量', en: 'Quantity' },
  unitPrice: { zh: '单价', en: 'Unit price' },
  total: { zh: '实付金额', en: 'Total' },
  amount: { zh: '金额', en: 'Amount' },
  discount: { zh: '优惠', en: 'Discount' },
  shippingFee: { zh: '运费', en: 'Shipping' },
  currency: { zh: '币种', en: 'Currency' },
  placedAt: { zh: '下单时间', en: 'Placed at' },
  paidAt: { zh: '付款时间', en: 'Paid at' },
  placedFrom: { zh: '下单时间（起）', en: 'Placed from' },
  placedTo: { zh: '下单时间（止）', en: 'Placed to' },
  province: { zh: '省', en: 'Province' },
  city: { zh: '市', en: 'City' },
  district: { zh: '区县', en: 'District' },
  detail: { zh: '详细地址', en: 'Address' },
  receiverName: { zh: '收货人', en: 'Receiver' },
  buyerNick: { zh: '买家昵称', en: 'Buyer nickname' },
  note: { zh: '备注', en: 'Note' },
  reasonCode: { zh: '原因', en: 'Reason' },
  tags: { zh: '标签', en: 'Tags' },
  tag: { zh: '标签', en: 'Tag' },
  code: { zh: '编码', en: 'Code' },
  warehouse: { zh: '仓库', en: 'Warehouse' },
  channelAccount: { zh: '店铺', en: 'Shop' },
  version: { zh: '版本', en: 'Version' },
  fields: { zh: '导出字段', en: 'Export fields' },
  expiresAt: { zh: '有效期', en: 'Expires' },
  limit: { zh: '每页条数', en: 'Page size' },
  localDay: { zh: '日期', en: 'Day' },
  tz: { zh: '时区', en: 'Time zone' },
};

/** What a validation error of the API says about one field, as the server sends it in `details.errors`. */
export interface FieldError {
  path?: string;
  field?: string;
  keyword?: string;
  params?: Record<string, unknown>;
  unknownField?: string;
}

const pick = (l: { zh: string; en: string }, locale: MessageLocale) => (locale === 'zh-CN' ? l.zh : l.en);

/** The field a path names, in words when known: `/receiver/phone` → 手机号. */
export function fieldLabel(path: string, locale: MessageLocale): string {
  const parts = path.split(/[/.]/).filter((p) => p && !/^\d+$/.test(p));
  const last = parts.at(-1) ?? '';
  // A receiver's or buyer's name is a person's (姓名); every other `name` names a thing (名称).
  if (last === 'name' && parts.at(-2) === 'receiver')
    return locale === 'zh-CN' ? '收货人姓名' : "Receiver's name";
  const label = FIELD_LABELS[last];
  return label ? pick(label, locale) : last || (locale === 'zh-CN' ? '请求' : 'request');
}

/** One field error in words: “手机号：至少 4 个字符”. */
export function fieldErrorText(e: FieldError, locale: MessageLocale): string {
  const zh = locale === 'zh-CN';
  if (e.unknownField) return zh ? `不认识的字段“${e.unknownField}”` : `unknown field "${e.unknownField}"`;
  const name = fieldLabel(e.field ?? e.path ?? '', locale);
  const p = e.params ?? {};
  const n = (k: string) => String(p[k] ?? '');
  let what: string;
  switch (e.keyword) {
    case 'minLength':
      what = zh ? `至少 ${n('limit')} 个字符` : `at least ${n('limit')} characters`;
      break;
    case 'maxLength':
      what = zh ? `最多 ${n('limit')} 个字符` : `at most ${n('limit')} characters`;
      break;
    case 'minimum':
      what = zh ? `不能小于 ${n('limit')}` : `at least ${n('limit')}`;
      break;
    case 'maximum':
      what = zh ? `不能大于 ${n('limit')}` : `at most ${n('limit')}`;
      break;
    case 'minItems':
      what = zh ? `至少 ${n('limit')} 项` : `at least ${n('limit')} items`;
      break;
    case 'maxItems':
      what = zh ? `最多 ${n('limit')} 项` : `at most ${n('limit')} items`;
      break;
    case 'required':
      return zh
        ? `缺少${fieldLabel(n('missingProperty'), locale)}`
        : `${fieldLabel(n('missingProperty'), locale)} is missing`;
    case 'pattern':
    case 'format':
      what = zh ? '格式不对' : 'not in the right form';
      break;
    case 'type':
      what = zh ? '类型不对' : 'of the wrong type';
      break;
    case 'enum':
    case 'const':
    case 'anyOf':
      what = zh ? '不是可选的值' : 'not one of the allowed values';
      break;
    case 'uniqueItems':
      what = zh ? '有重复项' : 'holding duplicates';
      break;
    default:
      what = zh ? '无效' : 'not valid';
  }
  return zh ? `${name}${what}` : `${name}: ${what}`;
}

function paramText(key: string, value: unknown, locale: MessageLocale): string {
  if (key === 'status' && typeof value === 'string') {
    const l = ORDER_STATUS_LABELS[value as keyof typeof ORDER_STATUS_LABELS];
    return l ? pick(l, locale) : value;
  }
  if (key === 'guard' && typeof value === 'string') {
    const l = HOLD_REASON_LABELS[value as keyof typeof HOLD_REASON_LABELS];
    return l ? pick(l, locale) : value;
  }
  if (Array.isArray(value)) return value.map(String).join(locale === 'zh-CN' ? '、' : ', ');
  if (value === null || value === undefined) return '';
  return typeof value === 'object' ? '' : String(value);
}

/**
 * A problem from the API in the reader's language: the code's message with its parameters filled
 * from `details`, validation errors naming their fields in words. Unknown codes fall back to the
 * server's English `detail`.
 */
export function errorMessage(code: string, details: unknown, locale: MessageLocale, fallback = ''): string {
  const m = ERROR_MESSAGES[code as ErrorCode];
  if (!m) return fallback || code;
  const d = (details && typeof details === 'object' ? details : {}) as Record<string, unknown>;
  const zh = locale === 'zh-CN';
  const extra: Record<string, string> = {};
  const errors = Array.isArray(d['errors']) ? (d['errors'] as FieldError[]) : [];
  extra['fields'] = errors.length
    ? `${zh ? '：' : ': '}${errors
        .slice(0, 3)
        .map((e) => fieldErrorText(e, locale))
        .join(zh ? '；' : '; ')}`
    : typeof d['field'] === 'string'
      ? `${zh ? '：' : ': '}${fieldLabel(d['field'], locale)}`
      : '';
  extra['permission'] = typeof d['permission'] === 'string' ? `（${d['permission']}）` : '';
  if (!zh && extra['permission']) extra['permission'] = ` (${d['permission']})`;
  const lines = Array.isArray(d['lines']) ? (d['lines'] as { lineNo?: number }[]) : [];
  extra['lineList'] = lines.length
    ? zh
      ? `（第 ${lines.map((l) => l.lineNo).join('、')} 行）`
      : ` (line ${lines.map((l) => l.lineNo).join(', ')})`
    : '';
  const limit = d['limit'] ?? d['max'] ?? d['maxRows'] ?? d['maxBytes'];
  extra['limitText'] =
    limit !== undefined ? (zh ? `（上限 ${String(limit)}）` : ` (limit ${String(limit)})`) : '';
  return pick(m, locale).replace(/\{(\w+)\}/g, (_, k: string) =>
    k in extra ? extra[k]! : paramText(k, d[k], locale),
  );
}
