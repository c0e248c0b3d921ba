export * from './auth.ts';
export * from './error-messages.ts';
export * from './errors.ts';
export * from './exports.ts';
export * from './inventory.ts';
export * from './labels.ts';
export * from './orders.ts';
export * from './payments.ts';
