import { DelayedError, type Job, UnrecoverableError, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Logger } from '../observability/logger.ts';
import type { Metrics } from '../observability/metrics.ts';
import { instrumentWorker } from '../queue/instrument-worker.ts';
import { openJob } from '../queue/job-context.ts';
import { channelId, channelPlatform } from '../shared/channel.ts';
import { type ChatAdapter, RetryAfterError } from './adapter.ts';
import { OutboxJob } from './outbox-job.ts';
import type { ChannelPacer } from './pacing.ts';
import { ThreadRootNotYetPosted } from './post-or-edit.ts';
import { redactMessage } from './redact-message.ts';

type OutboxWorkerDeps = {
  connection: Redis;
  prefix: string;
  adapters: readonly ChatAdapter[];
  log: Logger;
  metrics: Metrics;
  concurrency: number;
  /**
   * How long a message taken by a process that died (or whose Redis restarted before the taking
   * reached it) waits before it is taken again (WORKER_LOCK_SECONDS); BullMQ's default is 30 s,
   * and a job is found stalled only on the second check after its lock expires.
   */
  lockMs?: number;
  /** Spaces messages per channel as each platform allows; without it, no spacing. */
  pacer?: ChannelPacer;
};

/** The bot's consumer of the outbox: every message to chat leaves through here. */
const THREAD_ROOT_WAIT_MS = 5 * 60_000;

export function createOutboxWorker(deps: OutboxWorkerDeps): Worker<OutboxJob> {
  const adapters = new Map(deps.adapters.map((adapter) => [adapter.platform, adapter]));
  const worker = new Worker<OutboxJob>(
    'outbox',
    async (job: Job<OutboxJob>, token?: string) => {
      const { data, log } = openJob(job, OutboxJob, deps.log);
      const platform = channelPlatform(data.channel);
      const adapter = adapters.get(platform);
      if (adapter === undefined) {
        log.error({ channel: data.channel }, 'no adapter for channel');
        throw new UnrecoverableError(`${platform} is not configured`);
      }
      // Waiting is not failing: a message put back for later keeps its attempts.
      const later = async (ms: number, why: string) => {
        log.debug({ channel: data.channel, ms }, why);
        await job.moveToDelayed(Date.now() + ms, token);
        throw new DelayedError();
      };
      const wait = (await deps.pacer?.reserve(platform, data.channel)) ?? 0;
      if (wait > 0) return later(wait, 'channel paced');
      const delivery = {
        channelId: channelId(data.channel),
        // Whoever composed it, nothing leaves for chat without a last redaction.
        message: redactMessage(data.message),
        deliveryId: job.id ?? job.name,
        replaceKey: data.replaceKey,
        version: data.version,
        thread: data.thread,
        threadKey: data.threadKey,
        ephemeralTo: data.ephemeralTo,
      };
      try {
        await adapter.deliver(delivery).catch(async (error: unknown) => {
          // A thread's first message not posted after this long is not coming: post in the channel.
          if (!(error instanceof ThreadRootNotYetPosted)) throw error;
          if (Date.now() - job.timestamp <= THREAD_ROOT_WAIT_MS) throw error;
          await adapter.deliver({ ...delivery, threadKey: undefined });
        });
      } catch (error) {
        if (error instanceof RetryAfterError)
          return later(error.retryAfterMs, 'platform asked to retry later');
        // The thread's first message is on its way: come back in a moment, spending no attempt.
        if (error instanceof ThreadRootNotYetPosted) return later(1_000, 'thread not started yet');
        throw error;
      }
      deps.metrics.messagesDelivered.inc({ platform });
      log.debug({ channel: data.channel }, 'message delivered');
    },
    {
      connection: deps.connection,
      prefix: deps.prefix,
      concurrency: deps.concurrency,
      lockDuration: deps.lockMs ?? 30_000,
      stalledInterval: deps.lockMs ?? 30_000,
    },
  );
  instrumentWorker(worker, 'outbox', deps.log, deps.metrics);
  return worker;
}
