import { type Job, Queue } from 'bullmq';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { JOB_OPTIONS } from '../../src/queue/queues.ts';
import { startTestApp, type TestApp } from '../support/app.ts';

let app: TestApp;
let queues: Queue[] = [];

beforeEach(async () => {
  app = await startTestApp();
});

afterEach(async () => {
  await Promise.all(queues.map((q) => q.close()));
  queues = [];
  await app.stop();
});

function queue(name: string) {
  const q = new Queue(name, { connection: { url: app.redisUrl }, prefix: app.prefix });
  queues.push(q);
  return q;
}

async function settled(q: Queue, job: Job): Promise<Job> {
  for (let i = 0; i < 100; i++) {
    const state = await job.getState();
    if (state === 'failed' || state === 'completed') break;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  const fresh = await q.getJob(job.id ?? '');
  if (fresh === undefined) throw new Error('job vanished');
  return fresh;
}

it('fails a job whose data does not match its schema at once, without retries', async () => {
  const outbox = queue('outbox');
  const runs = queue('runs');

  const badMessage = await outbox.add(
    'x',
    { channel: 'web:alerts', message: {} },
    JOB_OPTIONS.outbox,
  );
  const badRun = await runs.add('x', { kind: 'question', text: 'hi' }, JOB_OPTIONS.runs);

  for (const job of [await settled(outbox, badMessage), await settled(runs, badRun)]) {
    expect(await job.getState()).toBe('failed');
    expect(job.attemptsMade).toBe(1);
    expect(job.failedReason).toMatch(/job does not match its schema$/);
  }
});

it('fails a message for a platform that is not configured, without retries', async () => {
  const outbox = queue('outbox');

  const job = await outbox.add(
    'x',
    { channel: 'slack:C0123ABCD', message: { text: 'hello' } },
    JOB_OPTIONS.outbox,
  );

  const done = await settled(outbox, job);
  expect(await done.getState()).toBe('failed');
  expect(done.attemptsMade).toBe(1);
  expect(done.failedReason).toBe('slack is not configured');
});
