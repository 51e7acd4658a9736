import type { Job, Queue } from 'bullmq';

/**
 * Adds a job under an id that identifies its content, once. While a job with that id is kept,
 * adding it again is a no-op, which is what a retried delivery wants; but a job kept because it
 * failed for good would then swallow every later copy, so that one is put back to run again.
 * `add` is the queue's add with `jobId`. Resolves `retried` in that case, `queued` otherwise (new,
 * or already there).
 */
export async function addOnce(
  queue: Pick<Queue, 'getJobState'>,
  jobId: string,
  add: () => Promise<Job>,
): Promise<'queued' | 'retried'> {
  // Sent together: adding a duplicate changes nothing, so the state read is the same whichever
  // of the two Redis runs first, and a new job is never "failed" either way.
  const [job, state] = await Promise.all([add(), queue.getJobState(jobId)]);
  if (state !== 'failed') return 'queued';
  await job.retry('failed');
  return 'retried';
}
