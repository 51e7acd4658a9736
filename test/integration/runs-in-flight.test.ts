import { Queue } from 'bullmq';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { JOB_OPTIONS } from '../../src/queue/queues.ts';
import { type CliRun, runCli } from '../support/cli.ts';
import { writeConfigFile } from '../support/config-file.ts';
import {
  MessagesApi,
  type MessagesRequest,
  type ScriptedTurn,
  text,
  toolUse,
} from '../support/messages-api.ts';
import { dropPrefix, testPrefix, testRedisUrl } from '../support/redis.ts';
import { eventually, useSandbox } from '../support/sandbox.ts';

/**
 * Agent runs wait on the model, so a worker keeps many of them in flight at once: as many model
 * calls open together as it has slots, and an orchestrator waiting for its specialists gives its
 * slot back. The local model holds every call until RUNS of them are open at once; a worker that
 * ran fewer at a time (runs serialised, or parents holding slots while their children wait) would
 * leave calls held until the barrier gives up on them.
 */
const RUNS = 12;
const sandbox = useSandbox(['healthy']);
const api = new MessagesApi();
const prefix = testPrefix();
let worker: CliRun | undefined;
let runs: Queue;

const model = (request: MessagesRequest): ScriptedTurn => {
  const orchestrator = JSON.stringify(request.system).includes("Coxswain's orchestrator");
  const asked = /question (\d+)/.exec(JSON.stringify(request.messages[0]))?.[1];
  if (orchestrator && request.messages.length === 1) {
    const task = `Report memory use in namespace shop for question ${asked}.`;
    return {
      content: [toolUse('d', 'delegate', { tasks: [{ agent: 'prometheus-analyst', task }] })],
    };
  }
  if (orchestrator)
    return { content: [toolUse('r', 'reply', { text: `Answer to question ${asked}.` })] };
  return { content: [text(`Memory is fine for question ${asked}.`)] };
};

beforeAll(async () => {
  const baseUrl = await api.start();
  api.respond = model;
  api.barrier = { size: RUNS, maxMs: 20_000 };
  const config = writeConfigFile({
    clusters: [{ name: 'sandbox', kubeconfig: sandbox.kubeconfig }],
  });
  runs = new Queue('runs', {
    connection: { url: testRedisUrl() },
    prefix,
    defaultJobOptions: JOB_OPTIONS.runs,
  });
  // As many slots as runs: the specialists only get theirs if the orchestrators give theirs back.
  worker = runCli(['worker'], {
    REDIS_URL: testRedisUrl(),
    REDIS_PREFIX: prefix,
    WORKER_PORT: '0',
    WORKER_CONCURRENCY: String(RUNS),
    COXSWAIN_CONFIG: config,
    ANTHROPIC_API_KEY: 'sk-ant-test-in-flight',
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

it('keeps a model call of every run open at once, specialists included', async () => {
  const ids = Array.from({ length: RUNS }, (_, i) => `ask.in-flight.${i}`);

  for (const [i, runId] of ids.entries()) {
    await runs.add(
      'ask',
      {
        kind: 'ask',
        runId,
        receivedAt: new Date().toISOString(),
        question: `question ${i}: how is memory in shop?`,
        requester: 'web:dana',
        cluster: 'sandbox',
        namespaces: ['*'],
      },
      { jobId: runId },
    );
  }
  const jobs = await eventually(
    async () => {
      const found = await Promise.all(ids.map((id) => runs.getJob(id)));
      return found.every((job) => job?.finishedOn !== undefined) ? found : undefined;
    },
    60_000,
    'every run to finish',
  );

  expect(jobs.map((job) => job?.failedReason)).toEqual(ids.map(() => undefined));
  expect(jobs.map((job) => job?.returnvalue.answer)).toEqual(
    ids.map((_, i) => `Answer to question ${i}.`),
  );
  // The orchestrators' first calls, the specialists' and the orchestrators' last: each wave whole.
  expect(api.requests).toHaveLength(3 * RUNS);
  expect(api.timedOut).toBe(0);
  expect(api.peakOpen).toBe(RUNS);
});
