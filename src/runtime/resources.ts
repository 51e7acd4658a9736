import type { Redis } from 'ioredis';
import type { Config } from '../config/index.ts';
import type { Logger } from '../observability/logger.ts';
import { closeRedis, createRedis } from '../queue/connection.ts';
import { closeQueues, createQueues, type Queues } from '../queue/queues.ts';

/**
 * The Redis connections a process holds: `producer` fails fast and serves request handlers,
 * `worker` waits out outages and carries the queue workers and their queues.
 */
export type Resources = {
  producer: Redis;
  worker: Redis;
  /** Queues for request handlers: adds fail fast while Redis is down. */
  queues: Queues;
  /** Queues for job processors: adds wait for Redis to come back. */
  workerQueues: Queues;
  close(): Promise<void>;
};

export function openResources(config: Config, log: Logger): Resources {
  const producer = createRedis(config.redis, 'producer', log);
  const worker = createRedis(config.redis, 'worker', log);
  const queues = createQueues(producer, config.redis.prefix, log);
  const workerQueues = createQueues(worker, config.redis.prefix, log);
  return {
    producer,
    worker,
    queues,
    workerQueues,
    async close() {
      await Promise.all([closeQueues(queues), closeQueues(workerQueues)]);
      await Promise.all([closeRedis(producer), closeRedis(worker)]);
    },
  };
}
