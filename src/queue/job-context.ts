import { type Job, UnrecoverableError } from 'bullmq';
import type { z } from 'zod';
import type { Logger } from '../observability/logger.ts';
import { formatIssues } from '../shared/format-issues.ts';

/**
 * What every processor starts with: a child logger for the job, and its data checked against
 * the queue's schema. Data that does not match cannot get better by retrying, so the job fails
 * for good.
 */
export function openJob<T>(job: Job, schema: z.ZodType<T>, log: Logger): { data: T; log: Logger } {
  const jobLog = log.child({ queue: job.queueName, jobId: job.id, attempt: job.attemptsMade + 1 });
  const parsed = schema.safeParse(job.data);
  if (!parsed.success) {
    jobLog.error({ problems: formatIssues(parsed.error.issues) }, 'job data invalid');
    throw new UnrecoverableError(`${job.queueName} job does not match its schema`);
  }
  return { data: parsed.data, log: jobLog };
}
