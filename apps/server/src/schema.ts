// Every table, for drizzle-kit. Modules import their own schema.ts, never this file.
export * from './modules/audit/schema.ts';
export * from './modules/auth/schema.ts';
export * from './modules/catalog/schema.ts';
export * from './modules/channels/schema.ts';
export * from './modules/inventory/schema.ts';
export * from './modules/orders/schema.ts';
export * from './modules/payments/schema.ts';
export * from './platform/schema.ts';
