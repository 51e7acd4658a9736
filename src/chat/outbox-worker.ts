import { type Job, UnrecoverableError, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Logger } from '../observability/logger.ts';
import type { Metrics } from '../observability/metrics.ts';
import { channelId, channelPlatform } from '../queue/channel.ts';
import { instrumentWorker } from '../queue/instrument-worker.ts';
import { openJob } from '../queue/job-context.ts';
import { OutboxJob } from '../queue/jobs.ts';
import type { ChatAdapter } from './adapter.ts';

export type OutboxWorkerDeps = {
  connection: Redis;
  prefix: string;
  adapters: readonly ChatAdapter[];
  log: Logger;
  metrics: Metrics;
  concurrency: number;
};

/** The bot's consumer of the outbox: every message to chat leaves through here. */
export function createOutboxWorker(deps: OutboxWorkerDeps): Worker<OutboxJob> {
  const adapters = new Map(deps.adapters.map((adapter) => [adapter.platform, adapter]));
  const worker = new Worker<OutboxJob>(
    'outbox',
    async (job: Job<OutboxJob>) => {
      const { data, log } = openJob(job, OutboxJob, deps.log);
      const platform = channelPlatform(data.channel);
      const adapter = adapters.get(platform);
      if (adapter === undefined) {
        log.error({ channel: data.channel }, 'no adapter for channel');
        throw new UnrecoverableError(`${platform} is not configured`);
      }
      await adapter.deliver(
        channelId(data.channel),
        data.message,
        job.id ?? job.name,
        data.replaceKey,
      );
      deps.metrics.messagesDelivered.inc({ platform });
      log.debug({ channel: data.channel }, 'message delivered');
    },
    { connection: deps.connection, prefix: deps.prefix, concurrency: deps.concurrency },
  );
  instrumentWorker(worker, 'outbox', deps.log, deps.metrics);
  return worker;
}
