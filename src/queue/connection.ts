import { Redis, type RedisOptions } from 'ioredis';
import type { RedisTarget } from '../config/index.ts';
import type { Logger } from '../observability/logger.ts';

/**
 * Redis connections as BullMQ's production guide asks:
 * - workers retry forever (`maxRetriesPerRequest: null`) so a Redis restart never kills them;
 * - producers that answer HTTP requests fail fast (no offline queue, a command timeout), so a
 *   caller hears "unavailable" at once instead of waiting on a buffer that may never drain; and
 *   pipeline automatically: the commands a request sends together (the webhook's add and its
 *   failed-set read) go in one write, which Redis reads and answers at once.
 */
export type RedisRole = 'worker' | 'producer' | 'subscriber';

const ROLE_OPTIONS = {
  worker: { maxRetriesPerRequest: null, enableOfflineQueue: true },
  producer: {
    maxRetriesPerRequest: 1,
    enableOfflineQueue: false,
    commandTimeout: 5_000,
    enableAutoPipelining: true,
  },
  subscriber: { maxRetriesPerRequest: null, enableOfflineQueue: true },
} as const satisfies Record<RedisRole, RedisOptions>;

/** ioredis's options, less the reply mapping its constructor types apart. */
type ConnectionOptions = Omit<RedisOptions, 'replyMapping'>;

export function createRedis(target: RedisTarget, role: RedisRole, log: Logger): Redis {
  const { url, options } = redisOptions(target, role);
  const redis = url === undefined ? new Redis(options) : new Redis(url, options);
  watchConnection(redis, log.child({ redis: role }));
  return redis;
}

/** The ioredis arguments for a target and role: a URL (or none, with Sentinel) and options. */
export function redisOptions(
  target: RedisTarget,
  role: RedisRole,
): { url: string | undefined; options: ConnectionOptions } {
  const common: ConnectionOptions = {
    ...ROLE_OPTIONS[role],
    connectionName: `coxswain-${role}`,
    retryStrategy: (attempt) => Math.min(200 * attempt, 2_000),
    // A primary demoted under us answers writes with READONLY: reconnect (through the Sentinels,
    // to the new primary) and send the command again; it was not applied where it was refused.
    reconnectOnError: (error) => (error.message.startsWith('READONLY') ? 2 : false),
    ...(target.password === undefined ? {} : { password: target.password }),
  };
  if (target.sentinel !== undefined) {
    const { sentinels, name, password } = target.sentinel;
    return {
      url: undefined,
      options: {
        ...common,
        sentinels: sentinels.map(({ host, port }) => ({ host, port })),
        name,
        ...(password === undefined ? {} : { sentinelPassword: password }),
        // No `failoverDetector`: in ioredis 6.0.0 its +switch-master handler disconnects the
        // connector even while the connection is reconnecting through the Sentinels, which ends
        // the connection for good ("Connection is closed", status `end`). A killed primary
        // closes our connections anyway, Sentinel makes a server it reconfigures drop its
        // clients, and READONLY above covers a write that races the switch.
        sentinelRetryStrategy: (attempt) => Math.min(200 * attempt, 2_000),
      },
    };
  }
  if (target.url === undefined) throw new Error('redis target has neither a URL nor Sentinels');
  return { url: withoutPassword(target.url, target.password), options: common };
}

/** ioredis lets a URL's password win over the options': drop it when another is given. */
function withoutPassword(url: string, password: string | undefined): string {
  if (password === undefined) return url;
  const parsed = new URL(url);
  parsed.password = '';
  return parsed.toString();
}

/** Logs an outage once when it starts and once when it ends, not on every reconnect attempt. */
function watchConnection(redis: Redis, log: Logger) {
  let down = false;
  redis.on('error', (error: Error) => {
    if (down) return;
    down = true;
    log.warn({ err: { message: error.message, code: codeOf(error) } }, 'redis connection lost');
  });
  redis.on('ready', () => {
    if (!down) return;
    down = false;
    log.info('redis connection restored');
  });
}

function codeOf(error: Error): string | undefined {
  const code = (error as NodeJS.ErrnoException).code;
  return typeof code === 'string' ? code : undefined;
}

/** Resolves true once the connection is ready, false if it is not within `timeoutMs`. */
export function waitForReady(redis: Redis, timeoutMs: number): Promise<boolean> {
  if (redis.status === 'ready') return Promise.resolve(true);
  return new Promise((resolve) => {
    const done = (ready: boolean) => {
      clearTimeout(timer);
      redis.off('ready', onReady);
      resolve(ready);
    };
    const onReady = () => done(true);
    const timer = setTimeout(() => done(false), timeoutMs);
    redis.on('ready', onReady);
  });
}

/** Resolves when the connection answers PING, rejects after `timeoutMs`. */
export async function pingRedis(redis: Redis, timeoutMs: number): Promise<void> {
  if (redis.status !== 'ready') throw new Error(`redis connection is ${redis.status}`);
  await withTimeout(redis.ping(), timeoutMs, 'redis ping timed out');
}

export async function withTimeout<T>(work: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(message)), ms);
  });
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Closes a connection politely, or cuts it when the server is gone. */
export async function closeRedis(redis: Redis): Promise<void> {
  if (redis.status === 'end') return;
  if (redis.status !== 'ready') {
    redis.disconnect();
    return;
  }
  try {
    await withTimeout(redis.quit(), 1_000, 'quit timed out');
  } catch {
    redis.disconnect();
  }
}
