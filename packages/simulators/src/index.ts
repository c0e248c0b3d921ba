/**
 * Local servers that speak each partner's real protocol (channels, payments, carriers).
 * The first ones arrive with the channel connectors; see shared protocol digests.
 */
export const SIMULATORS: readonly string[] = [];
export {
  type StripeDelivery,
  type StripeEvent,
  type StripeFaults,
  type StripeSimulator,
  type StripeSimulatorOptions,
  startStripeSimulator,
} from './stripe/index.ts';
export { type ShopifySimOptions, type ShopifySimulator, startShopifySimulator } from './shopify/index.ts';
export * from './wechatpay/index.ts';
