import { Queue, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { createLogger } from '../../src/observability/logger.ts';
import { closeWorker } from '../../src/runtime/shutdown.ts';
import { dropPrefix, testPrefix, testRedisUrl } from '../support/redis.ts';

const log = createLogger('silent');
let prefix: string;
let connection: Redis;
let queue: Queue;

beforeEach(() => {
  prefix = testPrefix();
  connection = new Redis(testRedisUrl(), { maxRetriesPerRequest: null });
  queue = new Queue('runs', { connection, prefix });
});

afterEach(async () => {
  await queue.close();
  connection.disconnect();
  await dropPrefix(testRedisUrl(), prefix);
});

/** A worker whose job takes `ms`, or stops early when the worker cancels it, as long runs will. */
function slowWorker(ms: number, started: () => void) {
  return new Worker(
    'runs',
    async (_job, _token, signal) => {
      started();
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(resolve, ms);
        signal?.addEventListener('abort', () => {
          clearTimeout(timer);
          reject(new Error('cancelled'));
        });
      });
      return 'done';
    },
    { connection, prefix },
  );
}

it('lets an active job finish before the worker closes', async () => {
  let onStart = () => {};
  const started = new Promise<void>((resolve) => {
    onStart = resolve;
  });
  const worker = slowWorker(500, onStart);
  const job = await queue.add('slow', {});
  await started;

  await closeWorker(worker, 5_000, log);

  expect(await queue.getJobState(job.id ?? '')).toBe('completed');
});

it('gives up on a job that outlasts the bound and leaves it to be retried', async () => {
  let onStart = () => {};
  const started = new Promise<void>((resolve) => {
    onStart = resolve;
  });
  const worker = slowWorker(10_000, onStart);
  const job = await queue.add('stuck', {}, { attempts: 3 });
  await started;

  await closeWorker(worker, 300, log);
  // Read as soon as the close returns: a close that waited out the 10 s job would find it completed.
  const onReturn = await queue.getJobState(job.id ?? '');

  expect(['waiting', 'active']).toContain(onReturn);
  await worker.close(true);
  expect(['waiting', 'active']).toContain(await queue.getJobState(job.id ?? ''));
});
