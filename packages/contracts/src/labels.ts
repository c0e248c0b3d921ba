/** Channel names as merchants say them. */
export const CHANNEL_LABELS: Record<string, { zh: string; en: string }> = {
  api: { zh: '自建商城', en: 'Own store (API)' },
  taobao: { zh: '淘宝', en: 'Taobao' },
  tmall: { zh: '天猫', en: 'Tmall' },
  jd: { zh: '京东', en: 'JD' },
  pinduoduo: { zh: '拼多多', en: 'Pinduoduo' },
  douyin: { zh: '抖店', en: 'Douyin shop' },
  wechat_mini: { zh: '微信小程序', en: 'WeChat mini-program' },
  pos: { zh: '门店', en: 'POS' },
  shopify: { zh: 'Shopify', en: 'Shopify' },
  amazon: { zh: '亚马逊', en: 'Amazon' },
};
