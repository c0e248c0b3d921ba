/** The channels API as the console reads it (apps/server/src/modules/channels/routes.ts). */
import { useQueries, useQuery } from '@tanstack/react-query';
import { api } from '../../shared/api.ts';

export type HealthStatus = 'green' | 'yellow' | 'red' | 'expired';

export interface ChannelAccount {
  id: string;
  code: string;
  name: string;
  channel: string;
  active: boolean;
  createdAt: string;
  updatedAt: string;
  connection: {
    connector: string | null;
    credentialFields: string[];
    credentialsUpdatedAt: string | null;
    baseUrlSet: boolean;
    syncIntervalSeconds: number;
    connectorSettings: Record<string, unknown>;
  };
}

export interface AccountHealth {
  accountId: string;
  status: HealthStatus;
  lastSuccessAt: string | null;
  lastAttemptAt: string | null;
  lagSeconds: number | null;
  consecutiveFailures: number;
  lastError: string | null;
  syncedTo: string | null;
  nextRunAt: string | null;
  ordersPulled: number;
  authExpiresAt: string | null;
}

export interface Backfill {
  id: string;
  accountId: string;
  from: string;
  to: string;
  doneTo: string;
  status: string;
  orders: number;
  error: string | null;
  createdAt: string;
}

export type InboxStatus = 'received' | 'processed' | 'failed' | 'rejected';
export const INBOX_STATUSES: readonly InboxStatus[] = ['received', 'processed', 'failed', 'rejected'];

export interface InboxMessage {
  id: string;
  accountId: string;
  messageId: string;
  topic: string | null;
  status: InboxStatus;
  error: string | null;
  attempts: number;
  orderIds: string[];
  receivedAt: string;
  processedAt: string | null;
  headers: Record<string, string>;
  rawBody: string;
  rawEncoding: 'utf8' | 'base64';
}

export interface ChannelAlert {
  id: string;
  kind: string;
  accountId: string | null;
  platform: string | null;
  api: string | null;
  field: string | null;
  details: unknown;
  example: unknown;
  firstSeenAt: string;
  lastSeenAt: string;
  occurrences: number;
  resolvedAt: string | null;
}

export interface DriftAnswer {
  alerts: ChannelAlert[];
  apis: {
    platform: string;
    api: string;
    samples: number;
    firstSeenAt: string;
    lastSeenAt: string;
    fields: { field: string; type: string; seen: number; firstSeenAt: string }[];
  }[];
}

export type StockPushStatus = 'pending' | 'pushed' | 'failed' | 'parked';
export interface StockPush {
  sku: string;
  wantedValue: number;
  wantedAt: string;
  pushedValue: number | null;
  pushedAt: string | null;
  status: StockPushStatus;
  attempts: number;
  lastError: string | null;
  nextAttemptAt: string | null;
}

export const KEYS = {
  accounts: ['channels', 'accounts'] as const,
  health: (id: string) => ['channels', 'health', id] as const,
  backfills: (id: string) => ['channels', 'backfills', id] as const,
  stockPushes: (id: string) => ['channels', 'stock-pushes', id] as const,
  inbox: ['channels', 'inbox'] as const,
  drift: ['channels', 'drift'] as const,
};

export function useAccounts() {
  return useQuery({
    queryKey: KEYS.accounts,
    queryFn: ({ signal }) => api<ChannelAccount[]>('/api/channel-accounts', { signal }),
  });
}

/** Health of every account (one request each; a merchant has a handful of shops). */
export function useHealths(accounts: readonly ChannelAccount[] | undefined, refetchMs?: number) {
  const list = accounts ?? [];
  const results = useQueries({
    queries: list.map((a) => ({
      queryKey: KEYS.health(a.id),
      queryFn: ({ signal }: { signal: AbortSignal }) =>
        api<AccountHealth>(`/api/channel-accounts/${encodeURIComponent(a.id)}/health`, { signal }),
      ...(refetchMs ? { refetchInterval: refetchMs } : {}),
    })),
  });
  const byId = new Map<string, { data: AccountHealth | undefined; error: unknown; loading: boolean }>();
  list.forEach((a, i) => {
    byId.set(a.id, {
      data: results[i]?.data,
      error: results[i]?.error ?? null,
      loading: results[i]?.isPending ?? false,
    });
  });
  return byId;
}

/** The connection URL platforms push to for this account. */
export const pushUrlOf = (code: string): string =>
  `${window.location.origin}/api/channels/push/${encodeURIComponent(code)}`;
