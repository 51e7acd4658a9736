import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { AlertInbox, alertInboxKey } from '../../src/queue/alert-inbox.ts';
import type { AlertRunJob } from '../../src/queue/jobs.ts';
import { startEmbeddedRedis } from '../../src/runtime/embedded-redis.ts';
import { inboxDrained, inboxLength, moveAlertInbox } from '../support/alert-inbox.ts';
import { dropPrefix, testPrefix, testRedisUrl } from '../support/redis.ts';

let redis: Redis;
const prefixes: string[] = [];
let movers: ReturnType<typeof moveAlertInbox>[] = [];

beforeAll(() => {
  redis = new Redis(testRedisUrl(), { maxRetriesPerRequest: null });
});

afterEach(async () => {
  await Promise.all(movers.map((mover) => mover.stop()));
  movers = [];
});

afterAll(async () => {
  redis.disconnect();
  await Promise.all(prefixes.map((prefix) => dropPrefix(testRedisUrl(), prefix)));
});

function app() {
  const prefix = testPrefix();
  prefixes.push(prefix);
  return { redisUrl: testRedisUrl(), prefix, inbox: new AlertInbox(redis, prefix) };
}

function mover(a: { redisUrl: string; prefix: string }, options = {}) {
  const started = moveAlertInbox(a, options);
  movers.push(started);
  return started;
}

function job(groupKey: string): AlertRunJob {
  return {
    kind: 'alert',
    receivedAt: new Date().toISOString(),
    payload: { groupKey, status: 'firing', alerts: [] },
  };
}

async function alertJobIds(m: ReturnType<typeof moveAlertInbox>): Promise<string[]> {
  const jobs = await m.runs.getJobs(['waiting', 'active', 'completed', 'failed', 'delayed']);
  return jobs.map((j) => j.id ?? '').sort();
}

describe('alert inbox', () => {
  it('makes each accepted notification one job, however many workers share the inbox', async () => {
    const a = app();
    const ids = Array.from({ length: 300 }, (_, i) => `alert-${String(i).padStart(3, '0')}`);
    // Every notification twice, as Alertmanager's retries send them.
    for (const id of [...ids, ...ids]) await a.inbox.push(id, job(id));
    expect(await inboxLength(a)).toBe(600);

    const [one] = [mover(a), mover(a), mover(a)];
    await inboxDrained(a);

    expect(await alertJobIds(one as ReturnType<typeof moveAlertInbox>)).toEqual(ids);
    const kept = await one?.runs.getJob('alert-007');
    expect(kept?.name).toBe('alert');
    expect(kept?.data).toMatchObject({ kind: 'alert', payload: { groupKey: 'alert-007' } });
  });

  it('takes over the notifications a worker took and never finished', async () => {
    const a = app();
    const key = alertInboxKey(a.prefix);
    for (const id of ['left-1', 'left-2', 'left-3']) await a.inbox.push(id, job(id));
    // A worker that read them and died before adding their jobs: they stay pending, its.
    await redis.xgroup('CREATE', key, 'movers', '0', 'MKSTREAM');
    const taken = await redis.xreadgroup(
      'GROUP',
      'movers',
      'gone',
      'COUNT',
      10,
      'STREAMS',
      key,
      '>',
    );
    expect((taken as [string, unknown[]][])[0]?.[1]).toHaveLength(3);

    const survivor = mover(a, { claimIdleMs: 200, claimEveryMs: 100 });
    await inboxDrained(a);

    expect(await alertJobIds(survivor)).toEqual(['left-1', 'left-2', 'left-3']);
    const pending = (await redis.xpending(key, 'movers')) as [number, ...unknown[]];
    expect(pending[0]).toBe(0);
  });

  it('drops an entry the webhook did not write, and moves the rest', async () => {
    const a = app();
    const key = alertInboxKey(a.prefix);
    await a.inbox.push('before', job('before'));
    await redis.xadd(key, '*', 'id', 'broken', 'job', '{not json');
    await redis.xadd(key, '*', 'something', 'else');
    await a.inbox.push('after', job('after'));

    const m = mover(a);
    await inboxDrained(a);

    expect(await alertJobIds(m)).toEqual(['after', 'before']);
  });

  it('goes on when the inbox is deleted under it, as a Redis restarted without data loses it', async () => {
    const a = app();
    const m = mover(a);
    await a.inbox.push('first', job('first'));
    await inboxDrained(a);

    await redis.del(alertInboxKey(a.prefix));
    await a.inbox.push('second', job('second'));
    await inboxDrained(a);

    expect(await alertJobIds(m)).toEqual(['first', 'second']);
  });

  it('stops within its timeout while Redis takes no writes, and what it left is moved later', async () => {
    const own = await startEmbeddedRedis();
    const admin = new Redis(own.url);
    try {
      const a = { redisUrl: own.url, prefix: testPrefix() };
      await new AlertInbox(admin, a.prefix).push('held', job('held'));
      await admin.call('CLIENT', 'PAUSE', '60000', 'WRITE');
      const stuck = moveAlertInbox(a);
      await new Promise((resolve) => setTimeout(resolve, 300));

      // A stop that waited for the paused writes would outlast the test's own timeout.
      await stuck.stop(1_000);

      await admin.call('CLIENT', 'UNPAUSE');
      const next = moveAlertInbox(a);
      try {
        await inboxDrained(a);
        expect(await alertJobIds(next)).toEqual(['held']);
      } finally {
        await next.stop();
      }
    } finally {
      admin.disconnect();
      await own.stop();
    }
  });
});
