import { UnrecoverableError, type Worker } from 'bullmq';
import type { Logger } from '../observability/logger.ts';
import type { Metrics } from '../observability/metrics.ts';
import { throttledWarn } from '../observability/throttle.ts';

/** Counts and times every job a worker finishes, and logs failures once with their reason. */
export function instrumentWorker(
  worker: Worker,
  queue: string,
  log: Logger,
  metrics: Metrics,
): void {
  worker.on('completed', (job) => {
    metrics.jobs.inc({ queue, outcome: 'completed' });
    if (job.processedOn !== undefined && job.finishedOn !== undefined) {
      metrics.jobDuration.observe({ queue }, (job.finishedOn - job.processedOn) / 1000);
    }
  });
  worker.on('failed', (job, error) => {
    const final =
      job === undefined ||
      job.attemptsMade >= (job.opts.attempts ?? 1) ||
      error instanceof UnrecoverableError;
    metrics.jobs.inc({ queue, outcome: final ? 'failed' : 'retried' });
    log.warn(
      { queue, jobId: job?.id, attempt: job?.attemptsMade, final, err: { message: error.message } },
      'job failed',
    );
  });
  const warn = throttledWarn(log, 'worker error');
  worker.on('error', (error) => warn({ queue, err: { message: error.message } }));
}
