import { defineModule } from '../../platform/module.ts';
import { auditRoutes } from './routes.ts';

/** Who did what, when and from where: written by every use case, read here. */
export const auditModule = defineModule({ name: 'audit', routes: auditRoutes });
