import { defineModule } from '../../platform/module.ts';
import { exportRoutes } from './routes.ts';

/** Order exports (CSV and XLSX). */
export const exportsModule = defineModule({ name: 'exports', routes: exportRoutes });
