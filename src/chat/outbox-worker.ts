import { type Job, UnrecoverableError, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import { formatIssues } from '../config/format-issues.ts';
import type { Logger } from '../observability/logger.ts';
import type { Metrics } from '../observability/metrics.ts';
import { channelId, channelPlatform } from '../queue/channel.ts';
import { instrumentWorker } from '../queue/instrument-worker.ts';
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
      const log = deps.log.child({ queue: 'outbox', jobId: job.id, attempt: job.attemptsMade + 1 });
      const parsed = OutboxJob.safeParse(job.data);
      if (!parsed.success) {
        log.error({ problems: formatIssues(parsed.error.issues) }, 'outbox job invalid');
        throw new UnrecoverableError('outbox job does not match its schema');
      }
      const platform = channelPlatform(parsed.data.channel);
      const adapter = adapters.get(platform);
      if (adapter === undefined) {
        log.error({ channel: parsed.data.channel }, 'no adapter for channel');
        throw new UnrecoverableError(`${platform} is not configured`);
      }
      await adapter.deliver(
        channelId(parsed.data.channel),
        parsed.data.message,
        job.id ?? job.name,
      );
      deps.metrics.messagesDelivered.inc({ platform });
      log.debug({ channel: parsed.data.channel }, 'message delivered');
    },
    { connection: deps.connection, prefix: deps.prefix, concurrency: deps.concurrency },
  );
  instrumentWorker(worker, 'outbox', deps.log, deps.metrics);
  return worker;
}
