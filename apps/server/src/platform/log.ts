import { type Logger, pino } from 'pino';

/** Paths that must never reach a log line in clear. */
export const REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'res.headers["set-cookie"]',
  'password',
  '*.password',
  'token',
  '*.token',
  'receiver.name',
  'receiver.phone',
  'receiver.detail',
  '*.receiver.name',
  '*.receiver.phone',
  '*.receiver.detail',
];

export function createLogger(level: string): Logger {
  return pino({ level, redact: { paths: REDACT_PATHS, censor: '[redacted]' }, base: { app: 'orderhub' } });
}

export type { Logger };
