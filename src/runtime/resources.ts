import type { Redis } from 'ioredis';
import type { Config } from '../config/index.ts';
import type { Logger } from '../observability/logger.ts';
import { AlertInbox } from '../queue/alert-inbox.ts';
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
  /**
   * Waits out outages like `worker`; for writes that block on Redis WAIT (REDIS_WAIT_REPLICAS),
   * a connection of its own then, so a wait holds up nothing else. Else `worker` itself.
   */
  records: Redis;
  /**
   * The Alertmanager webhook's inbox and its fail-fast connection: with REDIS_WAIT_REPLICAS a
   * connection of its own, since the webhook's WAIT blocks the connection it runs on (and would
   * hold up every other request handler, and /readyz, while a replica is missing).
   */
  alerts: { producer: Redis; inbox: AlertInbox };
  close(): Promise<void>;
};

export function openResources(config: Config, log: Logger): Resources {
  const producer = createRedis(config.redis, 'producer', log);
  const worker = createRedis(config.redis, 'worker', log);
  const queues = createQueues(producer, config.redis.prefix, log);
  const workerQueues = createQueues(worker, config.redis.prefix, log);
  const waits = config.redis.wait !== undefined;
  const records = waits ? createRedis(config.redis, 'worker', log) : worker;
  const alertProducer = waits ? createRedis(config.redis, 'producer', log) : producer;
  // Connections of their own only with WAIT: otherwise these are the ones above.
  const ownConnections = waits ? [records, alertProducer] : [];
  return {
    producer,
    worker,
    queues,
    workerQueues,
    records,
    alerts: { producer: alertProducer, inbox: new AlertInbox(alertProducer, config.redis.prefix) },
    async close() {
      await Promise.all([closeQueues(queues), closeQueues(workerQueues)]);
      await Promise.all([producer, worker, ...ownConnections].map(closeRedis));
    },
  };
}
