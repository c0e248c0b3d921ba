export { exportsModule } from './module.ts';
export { EXPORT_COLUMNS, exportRow, minorToDecimal, ordersForExport } from './order-rows.ts';
export { exportRoutes } from './routes.ts';
