import { type DestinationStream, type Logger, pino } from 'pino';
import type { LogLevel } from '../config/index.ts';

export type { Logger };

/**
 * Paths pino censors wherever they appear in a log object. Tokens and passwords are never
 * logged on purpose; this catches the accidental case (a request's headers, an options object).
 */
export const REDACT_PATHS = [
  'token',
  'password',
  'secret',
  'apiKey',
  'authorization',
  'redisUrl',
  '*.token',
  '*.password',
  '*.secret',
  '*.apiKey',
  '*.authorization',
  '*.redisUrl',
  'headers.authorization',
  'headers.cookie',
  '*.headers.authorization',
  '*.headers.cookie',
  'req.headers.authorization',
  'req.headers.cookie',
];

export function createLogger(level: LogLevel, destination?: DestinationStream): Logger {
  const options = {
    level,
    base: { service: 'coxswain' },
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    timestamp: pino.stdTimeFunctions.isoTime,
  };
  return destination === undefined ? pino(options) : pino(options, destination);
}
