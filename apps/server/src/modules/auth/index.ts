export { createToken, listTokens, revokeToken } from './api-tokens.ts';
export { bootstrapAdmin } from './bootstrap-admin.ts';
export { authModule } from './module.ts';
export { authRoutes } from './routes.ts';
export { resolveCredentials, SESSION_COOKIE } from './sessions.ts';
export { createUser, findUserByUsername, listUsers, updateUser } from './users.ts';
