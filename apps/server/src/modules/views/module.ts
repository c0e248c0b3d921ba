import { defineModule } from '../../platform/module.ts';
import { viewRoutes } from './routes.ts';

/** Saved views of the console's lists, per user, shared with roles, with a default per page. */
export const viewsModule = defineModule({ name: 'views', routes: viewRoutes });
