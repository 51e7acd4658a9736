import { Queue, UnrecoverableError, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addOnce } from '../../src/queue/add-once.ts';
import { dropPrefix, testPrefix, testRedisUrl } from '../support/redis.ts';

const prefix = testPrefix();
let connection: Redis;
let queue: Queue;

beforeAll(() => {
  connection = new Redis(testRedisUrl(), { maxRetriesPerRequest: null });
  queue = new Queue('runs', { connection, prefix });
});

afterAll(async () => {
  await queue.close();
  connection.disconnect();
  await dropPrefix(testRedisUrl(), prefix);
});

/** A queue `name` holding job `jobId` failed for good, its worker closed. */
async function failedForGood(name: string, jobId: string): Promise<Queue> {
  const queue = new Queue(name, { connection, prefix });
  const worker = new Worker(
    name,
    async () => {
      throw new UnrecoverableError('simulated failure');
    },
    { connection: { url: testRedisUrl(), maxRetriesPerRequest: null }, prefix },
  );
  try {
    await queue.add('alert', {}, { jobId });
    for (let i = 0; i < 100 && (await queue.getJobState(jobId)) !== 'failed'; i++)
      await new Promise((resolve) => setTimeout(resolve, 20));
  } finally {
    await worker.close();
  }
  return queue;
}

const adding = (jobId: string, n: number) => () =>
  addOnce(queue, connection, jobId, () => queue.add('alert', { n }, { jobId }));

describe('addOnce', () => {
  it('queues each id once, however many copies arrive together, and loses none', async () => {
    const ids = Array.from({ length: 50 }, (_, i) => `alert-${i}`);

    const outcomes = await Promise.all(
      ids.flatMap((id, i) => [adding(id, i)(), adding(id, i + 1_000)(), adding(id, i + 2_000)()]),
    );

    expect(new Set(outcomes)).toEqual(new Set(['queued']));
    const jobs = await queue.getJobs(['waiting']);
    expect(jobs.map((job) => job.id).sort()).toEqual([...ids].sort());
    // The first copy of each is the one kept.
    expect(jobs.every((job) => job.data.n === Number(job.id?.slice('alert-'.length)))).toBe(true);
  });

  it('puts a job that failed for good back to run when a copy arrives, and only that one', async () => {
    const other = `${prefix}-other`;
    const failing = await failedForGood('failing', 'broken');
    try {
      const again = await addOnce(failing, connection, 'broken', () =>
        failing.add('alert', {}, { jobId: 'broken' }),
      );
      const fresh = await addOnce(failing, connection, other, () =>
        failing.add('alert', {}, { jobId: other }),
      );

      expect([again, fresh]).toEqual(['retried', 'queued']);
      expect(await failing.getJobState('broken')).toBe('waiting');
      expect(await failing.getJobState(other)).toBe('waiting');
    } finally {
      await failing.close();
    }
  });

  it('accepts two copies of a failed job arriving together: one puts it back, neither fails', async () => {
    const failing = await failedForGood('failing-twice', 'broken');
    try {
      const copy = () =>
        addOnce(failing, connection, 'broken', () => failing.add('alert', {}, { jobId: 'broken' }));

      const outcomes = await Promise.all([copy(), copy()]);

      expect(outcomes.sort()).toEqual(['queued', 'retried']);
      expect(await failing.getJobState('broken')).toBe('waiting');
    } finally {
      await failing.close();
    }
  });

  it('gives a failed job put back to run all its attempts again', async () => {
    const flaky = new Queue('flaky', {
      connection,
      prefix,
      defaultJobOptions: { attempts: 3, backoff: { type: 'fixed', delay: 10 } },
    });
    let tries = 0;
    const worker = new Worker(
      'flaky',
      async () => {
        tries++;
        throw new Error('simulated failure');
      },
      { connection: { url: testRedisUrl(), maxRetriesPerRequest: null }, prefix },
    );
    const failed = async () => {
      for (let i = 0; i < 300 && (await flaky.getJobState('j')) !== 'failed'; i++)
        await new Promise((resolve) => setTimeout(resolve, 20));
    };
    try {
      await flaky.add('alert', {}, { jobId: 'j' });
      await failed();
      expect(tries).toBe(3);

      const outcome = await addOnce(flaky, connection, 'j', () =>
        flaky.add('alert', {}, { jobId: 'j' }),
      );
      // Out of the failed set first, then failed again after its attempts.
      for (let i = 0; i < 100 && (await flaky.getJobState('j')) === 'failed'; i++)
        await new Promise((resolve) => setTimeout(resolve, 10));
      await failed();

      expect(outcome).toBe('retried');
      expect(tries).toBe(6);
    } finally {
      await worker.close();
      await flaky.close();
    }
  });
});
