import type { Connector, ConnectorPlatform } from '../connector.ts';
import { douyinConnector } from './douyin/index.ts';
import { jdConnector } from './jd/index.ts';
import { pinduoduoConnector } from './pinduoduo/index.ts';
import { shopifyConnector } from './shopify/index.ts';
import { taobaoConnector } from './taobao/index.ts';
import { webhookConnector } from './webhook/index.ts';

/**
 * Every connector the server knows, by platform. A platform whose adapter is not built in yet
 * has no entry: its accounts take orders through the API and the generic webhook only.
 */
const CONNECTORS: Partial<Record<ConnectorPlatform, Connector>> = {
  taobao: taobaoConnector,
  jd: jdConnector,
  pinduoduo: pinduoduoConnector,
  douyin: douyinConnector,
  shopify: shopifyConnector,
  webhook: webhookConnector,
};

/** Which connector serves an account of each channel (Tmall shops speak Taobao's TOP). */
const PLATFORM_OF_CHANNEL: Record<string, ConnectorPlatform> = {
  taobao: 'taobao',
  tmall: 'taobao',
  jd: 'jd',
  pinduoduo: 'pinduoduo',
  douyin: 'douyin',
  shopify: 'shopify',
  api: 'webhook',
  wechat_mini: 'webhook',
  pos: 'webhook',
};

export function platformOfChannel(channel: string): ConnectorPlatform | null {
  return PLATFORM_OF_CHANNEL[channel] ?? null;
}

/** The connector for an account's channel, or null when none is built for it. */
export function connectorForChannel(channel: string): Connector | null {
  const p = platformOfChannel(channel);
  return p ? (CONNECTORS[p] ?? null) : null;
}

export function connectorFor(platform: ConnectorPlatform): Connector | null {
  return CONNECTORS[platform] ?? null;
}

/** Tests and benchmarks add a connector (a platform's adapter under test, a fake with faults). */
export function registerConnector(c: Connector): () => void {
  const before = CONNECTORS[c.platform];
  CONNECTORS[c.platform] = c;
  return () => {
    if (before) CONNECTORS[c.platform] = before;
    else delete CONNECTORS[c.platform];
  };
}
