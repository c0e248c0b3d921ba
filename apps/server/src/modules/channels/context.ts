import type { AccountConnection } from './accounts.ts';
import type { Connector, ConnectorContext } from './connector.ts';
import { connectorForChannel } from './connectors/index.ts';

/** The HTTP client connectors call platforms with (tests and benchmarks may swap it). */
let platformFetch: typeof fetch = (...args) => fetch(...args);

export function setPlatformFetch(f: typeof fetch): () => void {
  const before = platformFetch;
  platformFetch = f;
  return () => {
    platformFetch = before;
  };
}

/** The connector and its context for one account, or null when its channel has no connector. */
export function connectorContext(
  account: AccountConnection,
  now: Date,
): { connector: Connector; ctx: ConnectorContext } | null {
  const connector = connectorForChannel(account.channel);
  if (!connector) return null;
  return {
    connector,
    ctx: {
      credentials: account.credentials ?? {},
      baseUrl: account.baseUrl ?? connector.defaultBaseUrl,
      now,
      fetch: platformFetch,
      settings: { ...account.connectorSettings, accountCode: account.code },
    },
  };
}
