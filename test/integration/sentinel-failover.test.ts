import { Queue } from 'bullmq';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app.ts';
import { writeConfigFile } from '../support/config-file.ts';
import {
  inSync,
  primaryPort,
  type RedisNode,
  sentinelSees,
  startRedisNode,
  startSentinel,
  until,
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
const EVERY_MS = 50;
const KILL_AFTER = 60;
const AFTER_RECOVERY = 40;
const MAX_GROUPS = 600;

let slack: FakeSlack;
let app: TestApp | undefined;
const nodes: RedisNode[] = [];
let sentinelPorts: number[] = [];

beforeAll(async () => {
  const primary = await startRedisNode();
  nodes.push(primary);
  for (let i = 0; i < 2; i++) nodes.push(await startRedisNode({ replicaOf: primary.port }));
  for (let i = 0; i < 3; i++) nodes.push(await startSentinel(NAME, primary.port));
  sentinelPorts = nodes.slice(3).map((node) => node.port);
  for (const replica of nodes.slice(1, 3)) await until(replica.port, inSync, 'replica in sync');
  for (const port of sentinelPorts)
    await until(port, sentinelSees(NAME, 2, 2), 'sentinels know each other', 25_000);
  slack = await FakeSlack.start();
  app = await startTestApp({
    REDIS_URL: '',
    REDIS_SENTINELS: sentinelPorts.map((port) => `127.0.0.1:${port}`).join(','),
    REDIS_SENTINEL_NAME: NAME,
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
  await Promise.all(nodes.map((node) => node.stop()));
});

function notification(group: number) {
  const alertname = `Load${String(group).padStart(4, '0')}`;
  return {
    version: '4',
    groupKey: `{}:{alertname="${alertname}"}`,
    truncatedAlerts: 0,
    status: 'firing',
    receiver: 'coxswain',
    groupLabels: { alertname },
    commonLabels: { alertname, severity: 'warning' },
    commonAnnotations: { summary: 'Steady load' },
    externalURL: 'http://alertmanager.example',
    alerts: [
      {
        status: 'firing',
        labels: { alertname, severity: 'warning' },
        annotations: { summary: 'Steady load' },
        startsAt: '2026-12-07T10:00:00Z',
        generatorURL: 'http://prometheus.example/graph',
        fingerprint: `fp${group}`,
      },
    ],
  };
}

type Answer = { group: number; at: number; status: number | 'hang' | 'error' };

/** One post, answered or not within 10 s (a hang is a failure the test reports, not a wait). */
async function post(baseUrl: string, group: number): Promise<Answer> {
  try {
    const response = await fetch(`${baseUrl}/alerts/alertmanager`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(notification(group)),
      signal: AbortSignal.timeout(10_000),
    });
    await response.arrayBuffer();
    return { group, at: Date.now(), status: response.status };
  } catch (error) {
    const timedOut = (error as Error).name === 'TimeoutError';
    return { group, at: Date.now(), status: timedOut ? 'hang' : 'error' };
  }
}

/** Posts a group until it is accepted, as Alertmanager retries a 5xx (here every 500 ms). */
async function deliver(baseUrl: string, group: number, answers: Answer[], stopAt: () => number) {
  for (;;) {
    const answer = await post(baseUrl, group);
    answers.push(answer);
    if (answer.status !== 503 || Date.now() > stopAt()) return;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

/**
 * New groups every EVERY_MS; the primary killed after KILL_AFTER groups; new groups stop
 * AFTER_RECOVERY groups after the first 2xx that follows a 503 (or at MAX_GROUPS).
 */
async function driveLoad(baseUrl: string, killPrimary: () => Promise<void>) {
  const answers: Answer[] = [];
  const sending: Promise<void>[] = [];
  let recoveredAt: number | undefined;
  let killedAt: number | undefined;
  let retryUntil = Number.POSITIVE_INFINITY;
  for (let group = 0; group < MAX_GROUPS; group++) {
    if (group === KILL_AFTER) {
      killedAt = Date.now();
      await killPrimary();
    }
    recoveredAt ??= firstRecovery(answers);
    if (
      recoveredAt !== undefined &&
      group >= firstGroupAfter(answers, recoveredAt) + AFTER_RECOVERY
    )
      break;
    sending.push(deliver(baseUrl, group, answers, () => retryUntil));
    await new Promise((resolve) => setTimeout(resolve, EVERY_MS));
  }
  // Alertmanager would go on retrying; the test gives the last retries 20 s.
  retryUntil = Date.now() + 20_000;
  await Promise.all(sending);
  return { answers, killedAt };
}

/** When the first 2xx after the first 503 came, if it has. */
function firstRecovery(answers: Answer[]): number | undefined {
  const refused = answers.filter((a) => a.status === 503).map((a) => a.at);
  if (refused.length === 0) return undefined;
  const first503 = Math.min(...refused);
  const after = answers.filter((a) => a.status === 202 && a.at > first503).map((a) => a.at);
  return after.length === 0 ? undefined : Math.min(...after);
}

function firstGroupAfter(answers: Answer[], at: number): number {
  return Math.max(...answers.filter((a) => a.at <= at).map((a) => a.group));
}

/** Top-level messages in the channel per group (thread replies are not the group's message). */
function messagesPerGroup(): Map<number, number> {
  const counts = new Map<number, number>();
  for (const message of slack.posted(CHANNEL)) {
    if (message.thread_ts !== undefined) continue;
    const match = /Load(\d{4})/.exec(JSON.stringify([message.text, message.blocks]));
    if (match?.[1] === undefined) continue;
    const group = Number(match[1]);
    counts.set(group, (counts.get(group) ?? 0) + 1);
  }
  return counts;
}

/** A schedule's next tick (a workflow's job scheduler keeps one, hours ahead) is not work. */
const isWork = (job: { id?: string | undefined }) => !(job.id ?? '').startsWith('repeat:');

async function queuesIdle(prefix: string): Promise<void> {
  const connection = {
    sentinels: sentinelPorts.map((port) => ({ host: '127.0.0.1', port })),
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
  const primary = nodes[0] as RedisNode;

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
    async () => ([...accepted].every((g) => messagesPerGroup().has(g)) ? true : undefined),
    40_000,
    'every accepted group in the channel',
  );
  await queuesIdle(running.prefix);
  const delivered = messagesPerGroup();

  const statuses = new Set(answers.map((a) => a.status));
  const first503 = Math.min(...answers.filter((a) => a.status === 503).map((a) => a.at));
  const recovered = firstRecovery(answers);
  const promoted = await primaryPort(sentinelPorts[0] as number, NAME);
  process.stdout.write(
    `sentinel failover: ${groups.size} groups, ${answers.length} posts, ` +
      `${answers.filter((a) => a.status === 503).length} answered 503; ` +
      `503 window ${recovered === undefined ? 'open' : recovered - first503} ms ` +
      `(first 503 ${first503 - (killedAt ?? 0)} ms after the kill); ` +
      `accepted ${accepted.size}, delivered ${delivered.size}, ` +
      `delivered more than once ${[...delivered.values()].filter((n) => n > 1).length}\n`,
  );

  expect([...statuses].sort()).toEqual([202, 503]);
  expect(recovered).toBeGreaterThan(first503);
  expect(readyDuringOutage).toBe(503);
  expect(readyAfter).toBe(200);
  expect(promoted).not.toBe(primary.port);
  expect(accepted).toEqual(groups);
  expect([...delivered.keys()].sort((a, b) => a - b)).toEqual([...accepted].sort((a, b) => a - b));
  expect([...delivered.values()].every((count) => count === 1)).toBe(true);
}, 120_000);
