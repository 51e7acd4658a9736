import type { Config } from '../config/index.ts';
import type { Logger } from '../observability/logger.ts';
import type { Metrics } from '../observability/metrics.ts';
import type { Resources } from '../runtime/resources.ts';
import { closeWorker } from '../runtime/shutdown.ts';
import { Clusters } from '../tools/kubernetes/cluster.ts';
import { createRunsWorker } from './runs-worker.ts';

export type WorkerRole = { stop(): Promise<void> };

/** The worker role: runs jobs from the runs queue and posts what they say to the outbox. */
export function startWorker(
  config: Config,
  resources: Resources,
  log: Logger,
  metrics: Metrics,
): WorkerRole {
  const runs = createRunsWorker({
    connection: resources.worker,
    prefix: config.redis.prefix,
    queues: resources.workerQueues,
    routes: config.routes,
    clusters: new Clusters(config.clusters),
    bindings: config.bindings,
    autonomy: config.autonomy,
    concurrency: config.worker.concurrency,
    log,
    metrics,
  });
  return {
    async stop() {
      await closeWorker(runs, config.shutdownTimeoutMs, log);
    },
  };
}
