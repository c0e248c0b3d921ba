import type { PaymentProvider, PaymentProviderName } from '../provider.ts';
import { alipayProvider } from './alipay.ts';
import { stripeProvider } from './stripe.ts';
import { wechatpayProvider } from './wechatpay.ts';

/**
 * The provider adapters by name. Each is pure protocol code behind the `PaymentProvider` port; the
 * payments module picks one by the account's `provider`.
 */
const PROVIDERS: Partial<Record<PaymentProviderName, PaymentProvider<unknown>>> = {
  alipay: alipayProvider as PaymentProvider<unknown>,
  stripe: stripeProvider as PaymentProvider<unknown>,
  wechatpay: wechatpayProvider as PaymentProvider<unknown>,
};

/** The adapter for a provider name, or null when this build has none. */
export function providerFor(name: string): PaymentProvider<unknown> | null {
  return (PROVIDERS as Record<string, PaymentProvider<unknown> | undefined>)[name] ?? null;
}

/** Provider names this build can talk to. */
export function availableProviders(): PaymentProviderName[] {
  return Object.keys(PROVIDERS) as PaymentProviderName[];
}
