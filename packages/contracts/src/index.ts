export * from './auth.ts';
export * from './errors.ts';
export * from './inventory.ts';
export * from './orders.ts';
export * from './exports.ts';
export * from './labels.ts';
export * from './payments.ts';
export * from './error-messages.ts';
