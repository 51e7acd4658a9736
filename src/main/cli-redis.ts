import type { Redis } from 'ioredis';
import { loadConfig, readEnv } from '../config/index.ts';
import { CoxswainError } from '../errors.ts';
import { createLogger } from '../observability/logger.ts';
import { closeRedis, createRedis, waitForReady } from '../queue/connection.ts';

const REDIS_WAIT_MS = 5_000;

/**
 * A command's one connection to the configured Redis (REDIS_URL or REDIS_SENTINELS, and
 * REDIS_PREFIX), closed after `run`. Unreachable within 5 s, it fails with `unreachable` said.
 */
export async function withCliRedis<T>(
  unreachable: string,
  run: (redis: Redis, prefix: string) => Promise<T>,
): Promise<T> {
  const config = loadConfig(readEnv());
  const redis = createRedis(config.redis, 'producer', createLogger('silent'));
  try {
    if (!(await waitForReady(redis, REDIS_WAIT_MS)))
      throw new CoxswainError('redis_unavailable', unreachable);
    return await run(redis, config.redis.prefix);
  } finally {
    await closeRedis(redis);
  }
}
