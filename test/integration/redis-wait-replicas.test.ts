import { Queue } from 'bullmq';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { postAlert, startTestApp, type TestApp } from '../support/app.ts';
import { writeConfigFile } from '../support/config-file.ts';
import { notification } from '../support/failover-load.ts';
import { queuesIdle } from '../support/queues-idle.ts';
import { inSync, type RedisNode, startRedisNode, until } from '../support/redis-sentinel.ts';
import { FakeSlack } from '../support/slack-api.ts';

/**
 * REDIS_WAIT_REPLICAS: the webhook answers 2xx only once a replica has the alert. With the
 * replica gone it answers 503 with Retry-After (the alert is on the primary, not yet safe), and
 * Alertmanager's retry, once the replica is back, is accepted without a second job or message.
 */
const CHANNEL = 'C0ONCALL';
let slack: FakeSlack;
let primary: RedisNode;
let replica: RedisNode | undefined;
let app: TestApp | undefined;

beforeAll(async () => {
  // The primary starts a replica's full sync at once, not after Redis's default 5 s wait for more
  // replicas to share the transfer: this test's one replica syncs twice, at start and once back.
  primary = await startRedisNode({ args: ['--repl-diskless-sync-delay', '0'] });
  replica = await startRedisNode({ replicaOf: primary.port });
  await until(replica.port, inSync, 'replica in sync');
  slack = await FakeSlack.start();
  app = await startTestApp({
    REDIS_URL: `redis://127.0.0.1:${primary.port}`,
    REDIS_WAIT_REPLICAS: '1',
    // Long enough for a replica's acknowledgement on a busy machine (the suite runs three files
    // at once on two cores); the refused post waits this long before its 503.
    REDIS_WAIT_TIMEOUT_MS: '1000',
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
  await replica?.stop();
  await primary?.stop();
});

/** Top-level messages in the channel that name `alertname`. */
const messagesAbout = (alertname: string) =>
  slack
    .posted(CHANNEL)
    .filter((m) => m.thread_ts === undefined && JSON.stringify(m).includes(alertname)).length;

/** The ids of the runs jobs of a group, whatever their state. */
async function jobsAbout(alertname: string): Promise<string[]> {
  const { redisUrl, prefix } = app as TestApp;
  const runs = new Queue('runs', { connection: { url: redisUrl }, prefix });
  try {
    const jobs = await runs.getJobs(['completed', 'failed', 'waiting', 'active', 'delayed']);
    return jobs
      .filter((job) => JSON.stringify(job.data).includes(alertname))
      .map((job) => String(job.id));
  } finally {
    await runs.close();
  }
}

it('answers 2xx once a replica has the alert, 503 while none does, and a retry adds nothing twice', async () => {
  const running = app as TestApp;
  const safe = await postAlert(running.baseUrl, notification('ReplicatedAlert'));
  await (replica as RedisNode).kill();
  const refused = await postAlert(running.baseUrl, notification('UnreplicatedAlert'));
  replica = await startRedisNode({ replicaOf: primary.port, port: (replica as RedisNode).port });
  await until(replica.port, inSync, 'replica in sync again');
  const retried = await postAlert(running.baseUrl, notification('UnreplicatedAlert'));
  await queuesIdle(running);

  expect(safe.status).toBe(202);
  expect(refused.status).toBe(503);
  expect(refused.headers.get('retry-after')).toBe('5');
  expect(retried.status).toBe(202);
  expect(await jobsAbout('UnreplicatedAlert')).toEqual([
    ((await retried.json()) as { jobId: string }).jobId,
  ]);
  expect(messagesAbout('ReplicatedAlert')).toBe(1);
  expect(messagesAbout('UnreplicatedAlert')).toBe(1);
}, 60_000);
