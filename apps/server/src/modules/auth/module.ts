import { defineModule } from '../../platform/module.ts';
import { authRoutes } from './routes.ts';

/** Users, sessions, API tokens and roles. The first admin is made by app.ts (it prints the password). */
export const authModule = defineModule({ name: 'auth', routes: authRoutes });
