export { orderReservations, reservationViews, reserveCheckout } from './checkout.ts';
export { applyCount, previewCount } from './counts.ts';
export {
  dueFreezes,
  expireCheckouts,
  expireFreeze,
  hasDueReservation,
  ordersWithDueReservations,
} from './expire.ts';
export { createFreeze, releaseFreeze } from './freezes.ts';
export { byLevelKey, moveStock, type StockCtx } from './ledger.ts';
export { listLevels, listMovements } from './levels.ts';
export { inventoryModule } from './module.ts';
export {
  availableToSell,
  type ChannelAvailability,
  channelAvailability,
  markChanged,
  setChannelShares,
  setSafetyStock,
} from './planning.ts';
export { adjustStock, receiveStock } from './receive-adjust.ts';
export { relayStockMarks, runStockRelay } from './relay.ts';
export {
  type ActiveReservation,
  attachCheckout,
  clearExpiry,
  consumeReservations,
  endReservations,
  heldByOrder,
  lockActiveReservations,
  mergeItems,
  type Reserved,
  releaseUnits,
  reserveLines,
  type Shortfall,
  type StockItem,
  stockByOrder,
} from './reserve.ts';
export { inventoryRoutes } from './routes.ts';
export {
  CHANNEL_STOCK_PUSH_QUEUE,
  type ChannelStockPushMessage,
  DEFAULT_INVENTORY_SETTINGS,
  INVENTORY_QUEUES,
  type InventorySettings,
  inventorySettingsFromEnv,
  STOCK_ALERTS_QUEUE,
  STOCK_CHANGED_QUEUE,
  STOCK_EXPIRY_QUEUE,
  STOCK_RELAY_QUEUE,
  STOCK_VERIFY_QUEUE,
  type StockAlertMessage,
  type StockDeps,
  stockDepsOf,
} from './settings.ts';
export { createTransfer, receiveTransfer } from './transfers.ts';
export { type LedgerDifference, verifyLedger } from './verify.ts';
export { createWarehouse, listWarehouses, requireWarehouse, updateWarehouse } from './warehouses.ts';
