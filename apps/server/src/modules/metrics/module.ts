import { defineModule } from '../../platform/module.ts';
import { metricsRoutes } from './routes.ts';

/** Dashboard figures, composed from the owners' read functions. */
export const metricsModule = defineModule({ name: 'metrics', routes: metricsRoutes });
