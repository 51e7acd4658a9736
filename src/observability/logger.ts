import { type DestinationStream, type Logger, pino } from 'pino';
import type { LogLevel } from '../config/index.ts';

export type { Logger };

/**
 * Paths pino censors wherever they appear in a log object. Tokens and passwords are never
 * logged on purpose; this catches the accidental case (a request's headers, an options object).
 */
const REDACT_PATHS = redactPaths(
  [
    'token',
    'password',
    'secret',
    'apiKey',
    'authorization',
    'cookie',
    'redisUrl',
    'sentinelPassword',
    'botToken',
    'appToken',
    'signingSecret',
  ],
  [
    'REDIS_URL',
    'REDIS_PASSWORD',
    'REDIS_SENTINEL_PASSWORD',
    'ALERTMANAGER_TOKEN',
    'ALERTMANAGER_PASSWORD',
    'ANTHROPIC_API_KEY',
    'SLACK_BOT_TOKEN',
    'SLACK_APP_TOKEN',
    'SLACK_SIGNING_SECRET',
    'DISCORD_TOKEN',
    'DASHBOARD_TOKENS',
  ],
  4,
);

/** Each key at the top and up to `depth` levels down (pino's `*` stands for one level). */
function redactPaths(keys: string[], envNames: string[], depth: number): string[] {
  const paths: string[] = [];
  for (const key of [...keys, ...envNames]) {
    for (let level = 0; level <= depth; level++)
      paths.push([...Array(level).fill('*'), key].join('.'));
  }
  return paths;
}

export function createLogger(level: LogLevel, destination?: DestinationStream): Logger {
  const options = {
    level,
    base: { service: 'coxswain' },
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    timestamp: pino.stdTimeFunctions.isoTime,
  };
  return destination === undefined ? pino(options) : pino(options, destination);
}
