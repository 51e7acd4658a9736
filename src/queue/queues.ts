import { type JobsOptions, Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Logger } from '../observability/logger.ts';
import { throttledWarn } from '../observability/throttle.ts';
import type { ActionJob, OutboxJobData, QueueName, RunJob } from './jobs.ts';

const HOUR = 3_600;
const DAY = 24 * HOUR;

/**
 * Retention doubles as the de-duplication window: while a finished job is kept, adding one with
 * the same id is a no-op. An hour covers Alertmanager's retries of the same notification.
 */
export const JOB_OPTIONS: Record<QueueName, JobsOptions> = {
  runs: {
    attempts: 5,
    backoff: { type: 'exponential', delay: 2_000 },
    removeOnComplete: { age: HOUR, count: 10_000 },
    removeOnFail: { age: 7 * DAY },
  },
  actions: {
    // An action must never run twice by accident: a failed execution is reported, not retried.
    attempts: 1,
    removeOnComplete: { age: 30 * DAY },
    removeOnFail: { age: 30 * DAY },
  },
  outbox: {
    attempts: 8,
    backoff: { type: 'exponential', delay: 1_000 },
    removeOnComplete: { age: HOUR, count: 10_000 },
    removeOnFail: { age: 7 * DAY },
  },
};

export type Queues = {
  runs: Queue<RunJob>;
  actions: Queue<ActionJob>;
  outbox: Queue<OutboxJobData>;
};

export function createQueues(connection: Redis, prefix: string, log: Logger): Queues {
  const queues: Queues = {
    runs: new Queue<RunJob>('runs', {
      connection,
      prefix,
      defaultJobOptions: JOB_OPTIONS.runs,
    }),
    actions: new Queue<ActionJob>('actions', {
      connection,
      prefix,
      defaultJobOptions: JOB_OPTIONS.actions,
    }),
    outbox: new Queue<OutboxJobData>('outbox', {
      connection,
      prefix,
      defaultJobOptions: JOB_OPTIONS.outbox,
    }),
  };
  // Without a listener BullMQ prints every connection error to the console, past the logger.
  for (const queue of Object.values(queues)) {
    const warn = throttledWarn(log, 'queue error');
    queue.on('error', (error: Error) =>
      warn({ queue: queue.name, err: { message: error.message } }),
    );
  }
  return queues;
}

export async function closeQueues(queues: Queues): Promise<void> {
  await Promise.allSettled([queues.runs.close(), queues.actions.close(), queues.outbox.close()]);
}
