import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/observability/logger.ts';
import { AlertInbox, alertInboxKey } from '../../src/queue/alert-inbox.ts';
import { type InboxMover, startInboxMover } from '../../src/queue/inbox-mover.ts';
import type { AlertRunJob, RunJob } from '../../src/queue/jobs.ts';
import { type EmbeddedRedis, startEmbeddedRedis } from '../../src/runtime/embedded-redis.ts';
import { inboxDrained, inboxLength, moveAlertInbox } from '../support/alert-inbox.ts';
import { dropPrefix, testPrefix, testRedisUrl } from '../support/redis.ts';
import { eventually } from '../support/sandbox.ts';

/**
 * The alert inbox: what the webhook accepted becomes one job each, across workers, their deaths,
 * what someone with access to Redis can write there, and a bad day of Redis's.
 */
let redis: Redis;
const prefixes: string[] = [];
let stops: (() => Promise<void>)[] = [];

beforeAll(() => {
  redis = new Redis(testRedisUrl(), { maxRetriesPerRequest: null });
});

afterEach(async () => {
  for (const stop of stops.reverse()) await stop();
  stops = [];
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

function mover(
  a: { redisUrl: string; prefix: string },
  options: { claimIdleMs?: number; claimEveryMs?: number } = {},
) {
  const started = moveAlertInbox(a, options);
  stops.push(() => started.stop());
  return started;
}

function job(groupKey: string): AlertRunJob {
  return {
    kind: 'alert',
    receivedAt: new Date().toISOString(),
    payload: { groupKey, status: 'firing', alerts: [] },
  };
}

async function alertJobIds(m: { runs: Queue<RunJob> }): Promise<string[]> {
  const jobs = await m.runs.getJobs(['waiting', 'active', 'completed', 'failed', 'delayed']);
  return jobs.map((j) => j.id ?? '').sort();
}

const jobThere = (runs: Queue<RunJob>, id: string) => async () =>
  (await runs.getJob(id)) === undefined ? undefined : true;

async function pendingCount(key: string): Promise<number> {
  return ((await redis.xpending(key, 'movers')) as [number, ...unknown[]])[0];
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

describe('alert inbox under hostile entries', () => {
  it('keeps moving new notifications past an entry whose id BullMQ refuses', async () => {
    const a = app();
    const key = alertInboxKey(a.prefix);
    await a.inbox.push('12345', job('integer id'));
    await a.inbox.push('has:colon', job('colon id'));
    await a.inbox.push('before', job('before'));
    const m = mover(a);
    await eventually(jobThere(m.runs, 'before'), 15_000, 'the first notification moved');

    await a.inbox.push('after', job('after'));

    await eventually(jobThere(m.runs, 'after'), 15_000, 'a later notification moved');
    await inboxDrained(a);
    expect(await pendingCount(key)).toBe(0);
  });

  it('drops a forged entry nested deeper than a job can be stored, and moves the rest', async () => {
    const a = app();
    const key = alertInboxKey(a.prefix);
    const deep = `${'['.repeat(100_000)}${']'.repeat(100_000)}`;
    const forged = `{"kind":"alert","receivedAt":"${new Date().toISOString()}","payload":{"x":${deep}}}`;
    await redis.xadd(key, '*', 'id', 'alert-deep', 'job', forged);
    await a.inbox.push('after', job('after'));

    const m = mover(a);
    await inboxDrained(a);

    expect(await m.runs.getJob('after')).toBeDefined();
    expect(await m.runs.getJob('alert-deep')).toBeUndefined();
    expect(await pendingCount(key)).toBe(0);
  });

  it('keeps moving after an entry it holds pending is deleted from the stream', async () => {
    const a = app();
    const key = alertInboxKey(a.prefix);
    // The runs queue cannot take jobs: its events stream is not a stream.
    await redis.set(`${a.prefix}:runs:events`, 'not a stream');
    const m = mover(a);
    await a.inbox.push('stuck', job('stuck'));
    await eventually(async () => ((await pendingCount(key)) === 1 ? true : undefined));

    // Someone trims the inbox by hand; the queue is fixed.
    const [[id]] = (await redis.xrange(key, '-', '+')) as [[string, string[]]];
    await redis.xdel(key, id);
    await redis.del(`${a.prefix}:runs:events`);
    await a.inbox.push('after', job('after'));

    await eventually(jobThere(m.runs, 'after'), 15_000, 'a later notification moved');
    await eventually(async () => ((await pendingCount(key)) === 0 ? true : undefined));
  });
});

describe('alert inbox across a lost connection', () => {
  it('moves the entries a read delivered whose reply was lost, once its connection is back', async () => {
    const a = app();
    const key = alertInboxKey(a.prefix);
    const name = `inbox-reader-${a.prefix}`;
    const connection = new Redis(a.redisUrl, { maxRetriesPerRequest: null });
    const runs = new Queue<RunJob>('runs', { connection, prefix: a.prefix });
    const started = startInboxMover({
      key,
      reader: new Redis(a.redisUrl, { maxRetriesPerRequest: null, connectionName: name }),
      redis: connection,
      runs,
      log: createLogger('silent'),
    });
    stops.push(async () => {
      await started.stop();
      await runs.close();
      connection.disconnect();
    });
    const consumer = await eventually(async () => {
      const consumers = (await redis.xinfo('CONSUMERS', key, 'movers')) as unknown[][];
      return consumers[0]?.[1] as string | undefined;
    });
    // An entry Redis delivered to the mover (it is pending, the mover's) in a reply the mover
    // never got: the connection dropped first. New reads do not return it again.
    await redis.xgroup('SETID', key, 'movers', '9999999999999-0');
    const id = (await redis.xadd(
      key,
      '*',
      'id',
      'lost-reply',
      'job',
      JSON.stringify(job('g')),
    )) as string;
    await redis.xclaim(key, 'movers', consumer, 0, id, 'FORCE');

    await redis.client('KILL', 'ID', await clientId(name));

    await eventually(jobThere(runs, 'lost-reply'), 15_000, 'the delivered entry moved');
  });
});

async function clientId(name: string): Promise<string> {
  const list = (await redis.client('LIST')) as string;
  const line = list.split('\n').find((l) => l.includes(` name=${name} `));
  const id = /^id=(\d+)/.exec(line ?? '')?.[1];
  if (id === undefined) throw new Error(`no client named ${name}`);
  return id;
}

describe('alert inbox across a failover', () => {
  let old: EmbeddedRedis | undefined;
  let promoted: EmbeddedRedis | undefined;

  afterEach(async () => {
    await old?.stop();
    await promoted?.stop();
  });

  it('does not delete an entry where its job is not', async () => {
    // The add answered by a primary that then died before its replica had it; the
    // acknowledgement that follows reaches the promoted replica, which has the entry only.
    old = await startEmbeddedRedis();
    promoted = await startEmbeddedRedis();
    const prefix = 'failover';
    const onPromoted = new Redis(promoted.url, { maxRetriesPerRequest: null });
    const onOld = new Redis(old.url, { maxRetriesPerRequest: null });
    const runs = new Queue<RunJob>('runs', { connection: onOld, prefix });
    await new AlertInbox(onPromoted, prefix).push('alert-1', job('g'));
    const started: InboxMover = startInboxMover({
      key: alertInboxKey(prefix),
      reader: new Redis(promoted.url, { maxRetriesPerRequest: null }),
      redis: onPromoted,
      runs,
      log: createLogger('silent'),
    });
    await eventually(jobThere(runs, 'alert-1'), 15_000, 'the job added');

    await started.stop();

    expect(await onPromoted.xlen(alertInboxKey(prefix))).toBe(1);
    await runs.close();
    onOld.disconnect();
    onPromoted.disconnect();
  });
});

describe('alert inbox mover stopping', () => {
  let down: EmbeddedRedis | undefined;

  it('stops while Redis is away, leaving its entries pending for another worker', async () => {
    down = await startEmbeddedRedis();
    const url = down.url;
    await down.stop();
    const connection = new Redis(url, { maxRetriesPerRequest: null });
    connection.on('error', () => undefined);
    const reader = new Redis(url, { maxRetriesPerRequest: null });
    reader.on('error', () => undefined);
    const runs = new Queue<RunJob>('runs', { connection, prefix: 'away' });
    runs.on('error', () => undefined);
    const started = startInboxMover({
      key: alertInboxKey('away'),
      reader,
      redis: connection,
      runs,
      log: createLogger('silent'),
    });

    await started.stop();

    expect(connection.status).not.toBe('ready');
    connection.disconnect();
  });
});
