export { prefixedId, type StockIdPrefix } from './ids.ts';
export { catalogRoutes } from './routes.ts';
export { createSku, findSkus, listSkus, requireSkus, updateSku } from './skus.ts';
