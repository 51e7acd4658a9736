import { ErrorCode, type Job, type Queue } from 'bullmq';
import type { Redis } from 'ioredis';

/**
 * Adds a job under an id that identifies its content, once. While a job with that id is kept,
 * adding it again is a no-op, which is what a retried delivery wants; but a job kept because it
 * failed for good would then swallow every later copy, so that one is put back to run again.
 * `add` is the queue's add with `jobId`; `connection` is the queue's own, so both commands go in
 * one round trip. Resolves `retried` in that case, `queued` otherwise (new, or already there).
 */
export async function addOnce(
  queue: Pick<Queue, 'toKey'>,
  connection: Pick<Redis, 'zscore'>,
  jobId: string,
  add: () => Promise<Job>,
): Promise<'queued' | 'retried'> {
  // Sent together: adding a duplicate changes nothing, so whichever of the two Redis runs first,
  // a job found failed was failed before this add, and a new job is never failed. The failed set
  // is read directly (one ZSCORE) rather than through the job's whole state, which scans the
  // waiting and active lists and so costs more the longer the queue.
  const [job, failedAt] = await Promise.all([
    add(),
    connection.zscore(queue.toKey('failed'), jobId),
  ]);
  if (failedAt === null) return 'queued';
  try {
    // A fresh start: the attempts the job spent before it failed for good are not this copy's.
    await job.retry('failed', { resetAttemptsMade: true, resetAttemptsStarted: true });
  } catch (error) {
    // Another copy, arriving at the same moment, put it back first: it is queued either way.
    if ((error as { code?: unknown }).code === ErrorCode.JobNotInState) return 'queued';
    throw error;
  }
  return 'retried';
}
