/**
 * Local servers that speak each partner's real protocol (channels, payments, carriers).
 * The first ones arrive with the channel connectors; see shared protocol digests.
 */
export const SIMULATORS: readonly string[] = [];
export {
  type AlipayDelivery,
  type AlipayFaults,
  type AlipaySimulator,
  type AlipaySimulatorOptions,
  startAlipaySimulator,
} from './alipay/index.ts';
export {
  CATALOGUE,
  type CnLine,
  type CnOrder,
  CnOrderGenerator,
  CnOrderStore,
  type CnReceiver,
  type CnRefund,
  type CnStatus,
  type FaultState as CnFaultState,
  type Faults as CnFaults,
  type GenerateOptions as CnGenerateOptions,
  type SimPush as CnSimPush,
  seededRandom,
} from './cn-orders.ts';
export {
  DOUYIN_CODES,
  type DouyinSimOptions,
  type DouyinSimulator,
  startDouyinSimulator,
} from './douyin/index.ts';
export { type JdSimulator, type JdSimulatorOptions, josSign, startJdSimulator } from './jd/index.ts';
export {
  type PinduoduoSimulator,
  type PinduoduoSimulatorOptions,
  pddSign,
  startPinduoduoSimulator,
} from './pinduoduo/index.ts';
export { type ShopifySimOptions, type ShopifySimulator, startShopifySimulator } from './shopify/index.ts';
export {
  type StripeDelivery,
  type StripeEvent,
  type StripeFaults,
  type StripeSimulator,
  type StripeSimulatorOptions,
  startStripeSimulator,
} from './stripe/index.ts';
export {
  startTaobaoSimulator,
  type TaobaoSimulator,
  type TaobaoSimulatorOptions,
  topSign,
} from './taobao/index.ts';
export * from './wechatpay/index.ts';
