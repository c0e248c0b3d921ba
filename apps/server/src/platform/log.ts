import { type DestinationStream, type Logger, pino } from 'pino';
import { errSerializer, reqSerializer } from './redact.ts';

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

/** `destination` defaults to stdout; tests pass a stream to read what was logged. */
export function createLogger(level: string, destination?: DestinationStream): Logger {
  return pino(
    {
      level,
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
      base: { app: 'orderhub' },
      // Request URLs without personal-data query values, errors without bound statement values (redact.ts).
      serializers: { req: reqSerializer, err: errSerializer },
    },
    destination,
  );
}

export type { Logger };
