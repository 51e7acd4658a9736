import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { freePort } from '../../src/runtime/embedded-redis.ts';
import { postAlert, startTestApp, type TestApp } from '../support/app.ts';
import { chaos, repeated, sleep, unclaimedPosts } from '../support/chaos.ts';
import { writeConfigFile } from '../support/config-file.ts';
import { messagesPerGroup, notification } from '../support/failover-load.ts';
import { queuesIdle } from '../support/queues-idle.ts';
import { type RedisNode, startRedisNode } from '../support/redis-sentinel.ts';
import { eventually } from '../support/sandbox.ts';
import { FakeSlack } from '../support/slack-api.ts';

/**
 * Redis restarted under a steady alert load, on its own AOF: the bot's only state survives in
 * the append-only file. A new alert group every 40 ms, each posted again while it is answered 5xx
 * or not at all, as Alertmanager retries; Redis killed twice at points drawn from a seeded RNG,
 * once with SIGKILL (a crash) and once with SIGTERM (a rolling restart), and started again on the
 * same port and data. Every group the webhook accepted is one message in the channel, nothing is
 * posted twice, and a group's state outlives the restarts (its repeat edits, never re-posts).
 *
 * `appendfsync always`: an acknowledged write is on disk before the reply, so a group lost here
 * is the product's doing, never the file's. (With `everysec`, as shipped, a killed process
 * loses nothing either, since the write reaches the kernel before the reply; but when an fsync
 * is slow Redis may hold back that write up to 2 s, which a loaded test machine can provoke.)
 */
const CHANNEL = 'C0AOF';
const GROUPS = 150;
const EVERY_MS = 40;
const RETRY_MS = 300;
const random = chaos();

let slack: FakeSlack;
let app: TestApp | undefined;
let redis: RedisNode | undefined;
let port = 0;

const startRedis = async (dir?: string) =>
  startRedisNode({
    port,
    args: ['--appendfsync', 'always'],
    ...(dir === undefined ? {} : { dir }),
  });

beforeAll(async () => {
  port = await freePort();
  redis = await startRedis();
  slack = await FakeSlack.start();
  app = await startTestApp({
    REDIS_URL: `redis://127.0.0.1:${port}`,
    COXSWAIN_CONFIG: writeConfigFile({ routes: [{ match: {}, channels: [`slack:${CHANNEL}`] }] }),
    SLACK_BOT_TOKEN: slack.botToken,
    SLACK_SIGNING_SECRET: slack.signingSecret,
    SLACK_API_URL: slack.apiUrl,
    SLACK_PACE_MS: '0',
    // A message the outbox took as Redis died, the reply lost, is taken again after this.
    WORKER_LOCK_SECONDS: '2',
  });
}, 60_000);

afterAll(async () => {
  await app?.stop();
  await slack?.close();
  await redis?.stop();
});

type Answer = { group: number; status: number | 'error' };
const name = (group: number) => `Load${String(group).padStart(4, '0')}`;

/** Posts a group until it is answered 2xx or 4xx, as Alertmanager does (it retries 5xx and errors). */
async function deliver(baseUrl: string, group: number, answers: Answer[]): Promise<void> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    let status: Answer['status'];
    try {
      const response = await postAlert(baseUrl, notification(name(group)));
      await response.arrayBuffer();
      status = response.status;
    } catch {
      status = 'error';
    }
    answers.push({ group, status });
    if ((typeof status === 'number' && status < 500) || Date.now() > deadline) return;
    await sleep(RETRY_MS);
  }
}

/** Where the jobs of groups that never arrived stopped: queue, state, attempts and lock left. */
async function whereIs(running: TestApp, names: string[]) {
  const found: unknown[] = [];
  const probe = new Redis(running.redisUrl);
  for (const queueName of ['runs', 'outbox']) {
    const queue = new Queue(queueName, {
      connection: { url: running.redisUrl },
      prefix: running.prefix,
    });
    for (const job of await queue.getJobs([
      'waiting',
      'active',
      'delayed',
      'completed',
      'failed',
      'prioritized',
      'waiting-children',
    ])) {
      if (names.some((n) => JSON.stringify(job.data).includes(n)))
        found.push({
          lock: await probe.pttl(`${running.prefix}:${queueName}:${job.id}:lock`),
          queueName,
          id: job.id,
          name: job.name,
          state: await job.getState(),
          attempts: job.attemptsMade,
          failed: job.failedReason,
          stalled: job.stalledCounter,
        });
    }
    await queue.close();
  }
  probe.disconnect();
  return found;
}

/** Redis stopped (SIGKILL or SIGTERM) and, after a moment, started again on its AOF. */
async function restart(signal: 'SIGKILL' | 'SIGTERM', downMs: number): Promise<void> {
  const node = redis as RedisNode;
  await (signal === 'SIGKILL' ? node.kill() : node.stop());
  await sleep(downMs);
  redis = await startRedis(node.dir);
}

it('delivers every accepted alert group once across Redis restarts on AOF', async () => {
  const running = app as TestApp;
  const kills = [
    { at: random.between(20, 50), signal: 'SIGKILL' as const, downMs: random.between(0, 800) },
    { at: random.between(80, 110), signal: 'SIGTERM' as const, downMs: random.between(0, 800) },
  ];
  const answers: Answer[] = [];
  const sending: Promise<void>[] = [];
  const restarts: Promise<void>[] = [];
  let restarting = Promise.resolve();
  for (let group = 0; group < GROUPS; group++) {
    const kill = kills.find((k) => k.at === group);
    // A restart drawn while the last is still under way waits for it.
    if (kill !== undefined) {
      restarting = restarting.then(() => restart(kill.signal, kill.downMs));
      restarts.push(restarting);
    }
    sending.push(deliver(running.baseUrl, group, answers));
    await sleep(EVERY_MS);
  }
  await Promise.all([...sending, ...restarts]);
  const accepted = new Set(answers.filter((a) => a.status === 202).map((a) => a.group));
  await eventually(
    async () =>
      [...accepted].every((g) => messagesPerGroup(slack, CHANNEL).has(g)) ? true : undefined,
    // Enough for a loaded machine's backlog, not for BullMQ's default 30 s lock and stalled check.
    40_000,
    'every accepted group in the channel',
  ).catch(async (error) => {
    const missing = [...accepted].filter((g) => !messagesPerGroup(slack, CHANNEL).has(g));
    const states = await whereIs(running, missing.map(name));
    throw new Error(
      `${JSON.stringify(states)} ` +
        `${random.label}: groups ${missing.join(', ')} accepted, never posted (${error})`,
    );
  });
  await queuesIdle(running);

  // Group 0 again, as Alertmanager repeats it: its state came back from the AOF.
  expect((await postAlert(running.baseUrl, notification(name(0)))).status, random.label).toBe(202);
  await queuesIdle(running);
  const delivered = messagesPerGroup(slack, CHANNEL);
  const posts = slack.calls
    .filter((c) => c.method === 'chat.postMessage' && !c.rateLimited)
    .map((c) => JSON.stringify([c.args.channel, c.args.thread_ts, c.args.text, c.args.blocks]));
  const statuses = new Set(answers.map((a) => a.status));
  process.stdout.write(
    `redis aof restart: ${JSON.stringify({ seed: random.seed, kills, posts: answers.length, refused: answers.filter((a) => a.status !== 202).length })}\n`,
  );

  expect(statuses.has(202), random.label).toBe(true);
  expect(
    [...statuses].filter((s) => s !== 202 && s !== 503),
    random.label,
  ).toEqual([]);
  expect(
    answers.filter((a) => a.status !== 202).length,
    `${random.label}: no restart was seen`,
  ).toBeGreaterThan(0);
  expect(accepted.size, random.label).toBe(GROUPS);
  expect(
    [...delivered.keys()].sort((a, b) => a - b),
    random.label,
  ).toEqual([...accepted].sort((a, b) => a - b));
  expect(
    [...delivered].filter(([, n]) => n !== 1),
    random.label,
  ).toEqual([]);
  expect([...repeated(posts).keys()], random.label).toEqual([]);
  expect(await unclaimedPosts(slack, running.redisUrl, running.prefix), random.label).toEqual([]);
}, 120_000);
