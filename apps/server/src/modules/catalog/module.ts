import { defineModule } from '../../platform/module.ts';
import { catalogRoutes } from './routes.ts';

/** The SKU master. */
export const catalogModule = defineModule({ name: 'catalog', routes: catalogRoutes });
