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
  skuCodesInStretch,
  skuNames,
  skuStockFlags,
  updateSku,
} from './skus.ts';
