import type { TestProject } from 'vitest/node';
import { startEmbeddedRedis } from '../../src/runtime/embedded-redis.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    redisUrl: string;
  }
}

/**
 * One private redis-server for the whole suite, so tests never depend on (or disturb) whatever
 * Redis the machine runs. TEST_REDIS_URL points the suite at another one instead.
 */
export default async function setup(project: TestProject) {
  const external = process.env.TEST_REDIS_URL;
  if (external) {
    project.provide('redisUrl', external);
    return;
  }
  const redis = await startEmbeddedRedis();
  project.provide('redisUrl', redis.url);
  return async () => {
    await redis.stop();
  };
}
