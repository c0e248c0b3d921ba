export { catalogModule } from './module.ts';
export { catalogRoutes } from './routes.ts';
export {
  activeSkuCodes,
  createSku,
  findSkus,
  knownSkuCountSql,
  listSkus,
  requireSkus,
  skuCategorySql,
  skuNames,
  skuStockFlags,
  updateSku,
} from './skus.ts';
