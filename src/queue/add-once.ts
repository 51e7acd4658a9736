import type { Job } from 'bullmq';

/**
 * Adds a job under an id that identifies its content, once. While a job with that id is kept,
 * adding it again is a no-op, which is what a retried delivery wants; but a job kept because it
 * failed for good would then swallow every later copy, so that one is put back to run again.
 * `add` is the queue's add with a fixed `jobId`. Resolves `retried` in that case, `queued`
 * otherwise (new, or already there).
 */
export async function addOnce(add: () => Promise<Job>): Promise<'queued' | 'retried'> {
  const job = await add();
  if ((await job.getState()) !== 'failed') return 'queued';
  await job.retry('failed');
  return 'retried';
}
