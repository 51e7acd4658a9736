import { Queue } from 'bullmq';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app.ts';
import { writeConfigFile } from '../support/config-file.ts';
import {
  driveLoad,
  failoverFigures,
  firstRecovery,
  messagesPerGroup,
} from '../support/failover-load.ts';
import {
  primaryPort,
  type RedisNode,
  type SentinelSetup,
  startSentinelSetup,
} from '../support/redis-sentinel.ts';
import { eventually } from '../support/sandbox.ts';
import { FakeSlack } from '../support/slack-api.ts';

/**
 * Production Redis: a primary, two replicas and three Sentinels, real processes. Alertmanager
 * posts a steady stream of alert groups (20 a second), each retried on 503 as Alertmanager does,
 * and the primary is SIGKILLed mid-stream. The webhook answers 503 (never 500, never a hang)
 * until the Sentinels have promoted a replica, then 2xx again; and every group it accepted is
 * one message in the channel, however many times it was posted. The webhook waits for one
 * replica (REDIS_WAIT_REPLICAS=1), so no accepted alert can be lost with the primary: two
 * replicas, so that one is left to acknowledge after the failover.
 */
const NAME = 'coxswain-test';
const CHANNEL = 'C0ALERTS';

let slack: FakeSlack;
let app: TestApp | undefined;
let redis: SentinelSetup | undefined;

beforeAll(async () => {
  redis = await startSentinelSetup(NAME, 2);
  slack = await FakeSlack.start();
  app = await startTestApp({
    REDIS_URL: '',
    ...redis.env,
    REDIS_WAIT_REPLICAS: '1',
    COXSWAIN_CONFIG: writeConfigFile({ routes: [{ match: {}, channels: [`slack:${CHANNEL}`] }] }),
    SLACK_BOT_TOKEN: slack.botToken,
    SLACK_SIGNING_SECRET: slack.signingSecret,
    SLACK_API_URL: slack.apiUrl,
    SLACK_PACE_MS: '0',
  });
}, 60_000);

afterAll(async () => {
  await app?.stop();
  await slack?.close();
  await redis?.stop();
});

/** A schedule's next tick (a workflow's job scheduler keeps one, hours ahead) is not work. */
const isWork = (job: { id?: string | undefined }) => !(job.id ?? '').startsWith('repeat:');

async function queuesIdle(prefix: string): Promise<void> {
  const connection = {
    sentinels: (redis as SentinelSetup).sentinels.map(({ port }) => ({ host: '127.0.0.1', port })),
    name: NAME,
  };
  const queues = ['runs', 'outbox'].map((name) => new Queue(name, { connection, prefix }));
  for (const queue of queues) queue.on('error', () => undefined);
  try {
    await eventually(
      async () => {
        const jobs = await Promise.all(
          queues.map((q) => q.getJobs(['waiting', 'active', 'delayed', 'prioritized'])),
        );
        return jobs.flat().some(isWork) ? undefined : true;
      },
      40_000,
      'queues to be idle',
    );
  } finally {
    await Promise.all(queues.map((q) => q.close()));
  }
}

it('answers 503 while no primary is reachable and 2xx after, delivering each accepted group once', async () => {
  const running = app as TestApp;
  const { primary, sentinels } = redis as SentinelSetup;

  let outage: Promise<number> | undefined;
  const { answers, killedAt } = await driveLoad(running.baseUrl, async () => {
    await primary.kill();
    outage = eventually(async () => {
      const status = (await fetch(`${running.baseUrl}/readyz`)).status;
      return status === 503 ? status : undefined;
    }, 10_000);
  });
  const readyDuringOutage = await outage;
  const readyAfter = (await fetch(`${running.baseUrl}/readyz`)).status;
  const accepted = new Set(answers.filter((a) => a.status === 202).map((a) => a.group));
  const groups = new Set(answers.map((a) => a.group));
  await eventually(
    async () =>
      [...accepted].every((g) => messagesPerGroup(slack, CHANNEL).has(g)) ? true : undefined,
    40_000,
    'every accepted group in the channel',
  );
  await queuesIdle(running.prefix);
  const delivered = messagesPerGroup(slack, CHANNEL);

  const statuses = new Set(answers.map((a) => a.status));
  const first503 = Math.min(...answers.filter((a) => a.status === 503).map((a) => a.at));
  const recovered = firstRecovery(answers);
  const promoted = await primaryPort((sentinels[0] as RedisNode).port, NAME);
  const figures = failoverFigures(answers, killedAt ?? 0, delivered);
  process.stdout.write(`sentinel failover: ${JSON.stringify(figures)}\n`);

  expect([...statuses].sort()).toEqual([202, 503]);
  expect(recovered).toBeGreaterThan(first503);
  expect(readyDuringOutage).toBe(503);
  expect(readyAfter).toBe(200);
  expect(promoted).not.toBe(primary.port);
  expect(accepted).toEqual(groups);
  expect([...delivered.keys()].sort((a, b) => a - b)).toEqual([...accepted].sort((a, b) => a - b));
  expect([...delivered.values()].every((count) => count === 1)).toBe(true);
}, 120_000);
