import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { JOB_OPTIONS } from '../../src/queue/queues.ts';
import { RedisRunStore } from '../../src/workflows/run-store.ts';
import { type CliRun, runCli } from '../support/cli.ts';
import { writeConfigFile } from '../support/config-file.ts';
import { MessagesApi, toolUse } from '../support/messages-api.ts';
import { dropPrefix, testPrefix, testRedisUrl } from '../support/redis.ts';
import { eventually, useSandbox } from '../support/sandbox.ts';

/**
 * A channel with a daily model budget of $1 starts RUNS questions (or workflows with an agent
 * step) at once on a worker that runs them all at the same time (its default concurrency). Each
 * run's first model call alone costs about $5 (1M input tokens). Each run holds its limit when it
 * starts, so only the first one starts; the others wait until it ends, and are then refused: its
 * cost has spent the budget.
 */
const RUNS = 10;
const sandbox = useSandbox(['healthy']);
const api = new MessagesApi();
const prefix = testPrefix();
let worker: CliRun | undefined;
let runs: Queue;

const LOOK = `
name: look
steps:
  - name: look
    agent: k8s-diagnostician
    model: haiku
    task: How is shop?
`;

beforeAll(async () => {
  const baseUrl = await api.start();
  // A question that says "cheap" costs next to nothing; the others about $5.
  api.respond = (request) => ({
    content: [toolUse('r', 'reply', { text: 'ok' })],
    usage: { input_tokens: JSON.stringify(request.messages).includes('cheap') ? 10 : 1_000_000 },
  });
  const config = writeConfigFile({
    clusters: [{ name: 'sandbox', kubeconfig: sandbox.kubeconfig }],
    bindings: [
      { channel: 'web:ops', clusters: ['sandbox'] },
      { channel: 'web:infra', clusters: ['sandbox'] },
      { channel: 'web:cheap', clusters: ['sandbox'] },
    ],
    budgets: { channelDailyCostUsd: 1 },
  });
  const workflows = mkdtempSync(join(tmpdir(), 'coxswain-workflows-'));
  writeFileSync(join(workflows, 'look.yaml'), LOOK);
  runs = new Queue('runs', {
    connection: { url: testRedisUrl() },
    prefix,
    defaultJobOptions: JOB_OPTIONS.runs,
  });
  worker = runCli(['worker'], {
    REDIS_URL: testRedisUrl(),
    REDIS_PREFIX: prefix,
    WORKER_PORT: '0',
    COXSWAIN_CONFIG: config,
    WORKFLOWS_DIR: workflows,
    ANTHROPIC_API_KEY: 'sk-ant-test-budget-concurrency',
    ANTHROPIC_BASE_URL: baseUrl,
    LOG_LEVEL: 'warn',
  });
});

afterAll(async () => {
  worker?.child.kill('SIGKILL');
  await runs.close();
  await api.stop();
  await dropPrefix(testRedisUrl(), prefix);
});

it('starts one question; the rest wait for its hold, then are refused: its cost spent the budget', async () => {
  const ids = Array.from({ length: RUNS }, (_, i) => `ask.budget.${i}`);
  const jobs = await askAll(ids, 'web:ops', 'question');
  const redis = new Redis(testRedisUrl());
  const spent = Number(await redis.get(`${prefix}:spend:web:ops:${today()}`)) / 1e6;
  const held = await redis.hlen(`${prefix}:spend-held:web:ops`);
  redis.disconnect();
  const refused = jobs.filter((job) =>
    String(job?.returnvalue?.answer).includes('This channel has used its model budget for today'),
  );

  expect(api.requests).toHaveLength(1);
  expect(refused).toHaveLength(RUNS - 1);
  expect(spent).toBeGreaterThan(1);
  expect(held).toBe(0);
});

it("starts one workflow's agent step; the others wait for its hold, then fail: its cost spent the budget", async () => {
  const calls = api.requests.length;
  const ids = Array.from({ length: RUNS }, (_, i) => `wf.budget.${i}`);
  const redis = new Redis(testRedisUrl());
  const store = new RedisRunStore(redis, prefix);
  await runs.addBulk(
    ids.map((runId) => ({
      name: 'workflow',
      data: {
        kind: 'workflow',
        runId,
        workflow: 'look',
        trigger: 'manual',
        inputs: {},
        channel: 'web:infra',
        requester: 'web:dana',
        cluster: 'sandbox',
      },
      opts: { jobId: runId },
    })),
  );

  const views = await eventually(
    async () => {
      const found = await Promise.all(ids.map((id) => store.load(id)));
      const ended = found.every((view) => view?.state === 'succeeded' || view?.state === 'failed');
      return ended ? found : undefined;
    },
    60_000,
    'every workflow run to end',
  );
  const held = await redis.hlen(`${prefix}:spend-held:web:infra`);
  redis.disconnect();
  const refused = views.filter((view) =>
    JSON.stringify(view?.steps).includes('this channel has used its model budget for today'),
  );

  expect(api.requests.length - calls).toBe(1);
  expect(refused).toHaveLength(RUNS - 1);
  expect(held).toBe(0);
});

it('lets the questions held back by runs in flight run once those end, while the budget lasts', async () => {
  const calls = api.requests.length;
  const ids = Array.from({ length: 4 }, (_, i) => `ask.cheap.${i}`);
  const jobs = await askAll(ids, 'web:cheap', 'cheap question');

  // Each holds $2 of the $1 budget while it runs, so they run one after another, all of them.
  expect(jobs.map((job) => job?.returnvalue?.answer)).toEqual(ids.map(() => 'ok'));
  expect(api.requests.length - calls).toBe(ids.length);
});

/** Queues a question for each run id in `channel`, all at once, and waits until each has ended. */
async function askAll(ids: string[], channel: string, question: string) {
  await runs.addBulk(
    ids.map((runId, i) => ({
      name: 'ask',
      data: {
        kind: 'ask',
        runId,
        receivedAt: new Date().toISOString(),
        question: `${question} ${i}: how is shop?`,
        requester: 'web:dana',
        channel,
        cluster: 'sandbox',
        namespaces: ['*'],
      },
      opts: { jobId: runId },
    })),
  );
  return eventually(
    async () => {
      const found = await Promise.all(ids.map((id) => runs.getJob(id)));
      return found.every((job) => job?.finishedOn !== undefined) ? found : undefined;
    },
    60_000,
    `every run in ${channel} to finish`,
  );
}

function today(): string {
  return new Date().toISOString().slice(0, 10);
}
