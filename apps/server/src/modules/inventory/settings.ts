import type { Deps } from '../../platform/deps.ts';
import type { Jobs } from '../../platform/jobs.ts';
import { DEFAULT_SHEET_LIMITS, type SheetLimits, sheetLimitsFromEnv } from '../../platform/sheet.ts';

declare module '../../platform/deps.ts' {
  interface ModuleSettings {
    inventory: InventorySettings;
  }
  interface Hooks {
    /** Delivers one account's sellable figure for a SKU to its channel (the channels module's connector). */
    channelStockPush: (msg: ChannelStockPushMessage) => Promise<void>;
  }
}

/** Knobs of the stock module; read once at wiring time (see `inventorySettingsFromEnv`). */
export interface InventorySettings {
  /** Unpaid orders and checkout holds release their stock after this (下单即锁库, 30 min). */
  paymentTimeoutSeconds: number;
  /** A freeze without an expiry ends after this (refund-only review, 24 h). */
  freezeDefaultSeconds: number;
  /** Changes within this window reach the channels as one push per (account, SKU). */
  pushDebounceSeconds: number;
  /** Channels of the merchant's own storefronts: their unpaid checkouts may be refused when short. */
  ownStorefrontChannels: readonly string[];
  /** Count sheets: the reader's limits (ORDERHUB_IMPORT_*) and when a sheet is read by a job instead. */
  countImport: CountImportSettings;
}

export interface CountImportSettings extends SheetLimits {
  /** A sheet larger than this (decoded bytes) is read by a job: 202 and a count to poll. */
  asyncAboveBytes: number;
  /** A smaller sheet that turns out to hold more rows than this is handed to the job as well. */
  asyncAboveRows: number;
}

export const DEFAULT_COUNT_IMPORT: CountImportSettings = {
  ...DEFAULT_SHEET_LIMITS,
  asyncAboveBytes: 64 * 1024,
  asyncAboveRows: 2_000,
};

export const DEFAULT_INVENTORY_SETTINGS: InventorySettings = {
  paymentTimeoutSeconds: 30 * 60,
  freezeDefaultSeconds: 24 * 3600,
  pushDebounceSeconds: 5,
  ownStorefrontChannels: ['api', 'wechat_mini', 'pos', 'shopify'],
  countImport: DEFAULT_COUNT_IMPORT,
};

export function inventorySettingsFromEnv(env: Record<string, string | undefined>): InventorySettings {
  const int = (name: string, fallback: number, min: number, max: number) => {
    const raw = env[name];
    if (raw === undefined || raw === '') return fallback;
    const n = Number(raw);
    if (!Number.isInteger(n) || n < min || n > max)
      throw new Error(`${name} must be a whole number from ${min} to ${max}, got "${raw}"`);
    return n;
  };
  return {
    ...DEFAULT_INVENTORY_SETTINGS,
    paymentTimeoutSeconds: int('ORDERHUB_PAYMENT_TIMEOUT_MINUTES', 30, 1, 7 * 24 * 60) * 60,
    freezeDefaultSeconds: int('ORDERHUB_FREEZE_DEFAULT_HOURS', 24, 1, 24 * 90) * 3600,
    pushDebounceSeconds: int('ORDERHUB_STOCK_PUSH_DEBOUNCE_SECONDS', 5, 0, 3600),
    countImport: {
      ...sheetLimitsFromEnv(env),
      asyncAboveBytes: int('ORDERHUB_IMPORT_ASYNC_ABOVE_BYTES', 64 * 1024, 0, 1024 * 1024 * 1024),
      asyncAboveRows: int('ORDERHUB_IMPORT_ASYNC_ABOVE_ROWS', 2_000, 0, 10_000_000),
    },
  };
}

/** What the stock use cases need from the platform. */
export interface StockDeps {
  jobs: Jobs;
  inventory: InventorySettings;
}

/** The stock use cases' deps from the server's (defaults where the settings were not wired). */
export function stockDepsOf(deps: Pick<Deps, 'jobs' | 'settings'>): StockDeps {
  return { jobs: deps.jobs, inventory: deps.settings.inventory ?? DEFAULT_INVENTORY_SETTINGS };
}

export const STOCK_CHANGED_QUEUE = 'inventory-stock-changed';
export const CHANNEL_STOCK_PUSH_QUEUE = 'channel-stock-push';
export const STOCK_EXPIRY_QUEUE = 'inventory-expiry';
export const STOCK_ALERTS_QUEUE = 'inventory-alerts';
export const STOCK_VERIFY_QUEUE = 'inventory-verify';
export const STOCK_RELAY_QUEUE = 'inventory-stock-relay';
export const COUNT_IMPORT_QUEUE = 'inventory-count-import';

export const INVENTORY_QUEUES = [
  { name: STOCK_CHANGED_QUEUE },
  { name: CHANNEL_STOCK_PUSH_QUEUE },
  { name: STOCK_EXPIRY_QUEUE },
  { name: STOCK_ALERTS_QUEUE },
  { name: STOCK_VERIFY_QUEUE, retryLimit: 2 },
  { name: STOCK_RELAY_QUEUE, retryLimit: 2 },
  // A count that fails is marked failed by the job itself; a retry after a crash resumes it.
  { name: COUNT_IMPORT_QUEUE, retryLimit: 2, expireInSeconds: 30 * 60 },
];

export interface ChannelStockPushMessage {
  account: string;
  channel: string;
  sku: string;
  available: number;
  at: string;
}

export interface StockAlertMessage {
  type: 'stock.below_safety' | 'stock.recovered';
  alertId: string;
  sku: string;
  warehouse: string;
  available: number;
  safetyStock: number;
  at: string;
}
