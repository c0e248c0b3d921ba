export { exportsModule } from './module.ts';
export { csvRecord, formulaSafe, minorToDecimal, recordsForExport, xlsxRecord } from './order-rows.ts';
export { exportRoutes } from './routes.ts';
