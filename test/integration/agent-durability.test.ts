import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, it } from 'vitest';
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
import { eventually, type TestSandbox, useSandbox } from '../support/sandbox.ts';

/**
 * Workers killed with SIGKILL at the points that matter, and a second worker that finishes the
 * run: the same answer, no finished tool call repeated, one proposal, one final message.
 *
 * The cases run at once, each with a sandbox, a model, a Redis prefix and workers of its own:
 * most of a case is waiting on processes that start and on locks that lapse.
 */
type Place = { sandbox: TestSandbox; api: MessagesApi; baseUrl: string; configFile: string };
const places: Place[] = [0, 1, 2, 3].map(() => ({
  sandbox: useSandbox(['oom-crashloop']),
  api: new MessagesApi(),
  baseUrl: '',
  configFile: '',
}));
const ANSWER = 'payments-api is OOMKilled (exit code 137) at its 256Mi limit; 384Mi is proposed.';

beforeAll(async () => {
  for (const place of places) {
    place.baseUrl = await place.api.start();
    place.configFile = writeConfigFile({
      clusters: [{ name: 'sandbox', kubeconfig: place.sandbox.kubeconfig }],
      bindings: [{ channel: 'web:ops', clusters: ['sandbox'], maxTier: 'confirm' }],
    });
  }
});

afterAll(async () => {
  for (const place of places) await place.api.stop();
});

type Stage =
  | 'orchestrator-first'
  | 'specialist-first'
  | 'specialist-after-tools'
  | 'specialist-after-proposal'
  | 'orchestrator-last';

/** The scripted model, and the stage each request belongs to. */
function model(request: MessagesRequest): { stage: Stage; turn: ScriptedTurn } {
  const orchestrator = JSON.stringify(request.system).includes("Coxswain's orchestrator");
  const turn = request.messages.length;
  if (orchestrator && turn === 1) {
    return {
      stage: 'orchestrator-first',
      turn: {
        content: [
          toolUse('d1', 'delegate', {
            tasks: [
              {
                agent: 'k8s-diagnostician',
                task: 'Why do pods in namespace payments crash loop? Report cause and evidence.',
              },
            ],
          }),
        ],
      },
    };
  }
  if (orchestrator)
    return {
      stage: 'orchestrator-last',
      turn: { content: [toolUse('r1', 'reply', { text: ANSWER })] },
    };
  if (turn === 1) {
    return {
      stage: 'specialist-first',
      turn: {
        content: [
          toolUse('s1', 'list_pods', { namespace: 'payments' }),
          toolUse('s2', 'events', { namespace: 'payments' }),
        ],
      },
    };
  }
  if (turn === 3) {
    return {
      stage: 'specialist-after-tools',
      turn: {
        content: [
          toolUse('s3', 'set_resources', {
            namespace: 'payments',
            name: 'payments-api',
            container: 'api',
            limits: { memory: '384Mi' },
          }),
        ],
      },
    };
  }
  return {
    stage: 'specialist-after-proposal',
    turn: { content: [text('OOMKilled, exit 137, limit 256Mi; proposed 384Mi.')] },
  };
}

function startWorker(place: Place, prefix: string, workers: CliRun[]): CliRun {
  const worker = runCli(['worker'], {
    REDIS_URL: testRedisUrl(),
    REDIS_PREFIX: prefix,
    WORKER_PORT: '0',
    COXSWAIN_CONFIG: place.configFile,
    ANTHROPIC_API_KEY: 'sk-ant-test-durability',
    ANTHROPIC_BASE_URL: place.baseUrl,
    WORKER_LOCK_SECONDS: '2',
    LOG_LEVEL: 'warn',
    KUBECONFIG: place.sandbox.kubeconfig,
  });
  workers.push(worker);
  return worker;
}

const count = (sandbox: TestSandbox, method: string, path: string) =>
  sandbox.requests.filter((r) => r.method === method && r.path === path).length;

describe.concurrent.each<[string, number, (place: Place, kill: () => void) => void]>([
  ['during a model call', 0, (place, kill) => onStage(place, 'orchestrator-first', kill)],
  // The analyzers read the events first; the second read is the diagnostician's `events` call.
  [
    'between tool calls',
    1,
    (place, kill) => onSandbox(place, 'GET', '/api/v1/namespaces/payments/events', kill, 2),
  ],
  ['while a child runs', 2, (place, kill) => onStage(place, 'specialist-first', kill)],
  ['right after a proposal', 3, (place, kill) => onStage(place, 'specialist-after-proposal', kill)],
])('a worker killed %s', (_when, at, arm) => {
  it('is finished by another worker with one answer, one proposal and no repeated finished call', async ({
    expect,
  }) => {
    const place = places[at] as Place;
    const { sandbox, api } = place;
    const workers: CliRun[] = [];
    const prefix = testPrefix();
    const runs = new Queue('runs', {
      connection: { url: testRedisUrl() },
      prefix,
      defaultJobOptions: JOB_OPTIONS.runs,
    });
    const outbox = new Queue('outbox', { connection: { url: testRedisUrl() }, prefix });
    const redis = new Redis(testRedisUrl());
    sandbox.resetRequests();
    api.requests.length = 0;
    try {
      const first = startWorker(place, prefix, workers);
      let killed = false;
      arm(place, () => {
        if (killed) return;
        killed = true;
        first.child.kill('SIGKILL');
        startWorker(place, prefix, workers);
      });
      const runId = `ask.durability.${prefix}`;
      await runs.add(
        'ask',
        {
          kind: 'ask',
          runId,
          receivedAt: new Date().toISOString(),
          question: 'why is payments crashlooping?',
          channel: 'web:ops',
          requester: 'web:dana',
          cluster: 'sandbox',
          namespaces: ['*'],
        },
        { jobId: runId },
      );

      const job = await eventually(
        async () => {
          const found = await runs.getJob(runId);
          return found?.finishedOn !== undefined ? found : undefined;
        },
        60_000,
        'the run to finish',
      );

      expect(job.returnvalue).toMatchObject({ answer: ANSWER });
      expect(killed).toBe(true);
      expect(job.failedReason).toBeUndefined();
      expect(job.returnvalue.answer).toBe(ANSWER);
      // Once by the analyzers before the diagnostician's first turn, once by its list_pods.
      expect(count(sandbox, 'GET', '/api/v1/namespaces/payments/pods')).toBe(2);
      expect(
        (await redis.keys(`${prefix}:proposal:*`)).filter((k) => /:proposal:[^:]+$/.test(k)),
      ).toHaveLength(1);
      const answers = (await outbox.getJobs(['waiting', 'active', 'completed', 'delayed'])).filter(
        (j) => j.name === 'answer',
      );
      expect(answers).toHaveLength(1);
      expect(answers[0]?.data.message.headline).toBe(ANSWER);
    } finally {
      for (const worker of workers)
        if (worker.child.exitCode === null) worker.child.kill('SIGKILL');
      api.respond = undefined;
      await runs.close();
      await outbox.close();
      redis.disconnect();
      await dropPrefix(testRedisUrl(), prefix);
    }
    // Eight worker processes start in the file's first seconds: on a busy machine a case takes
    // well over the suite's 30 s default, as the 60 s wait for the run allows.
  }, 120_000);
});

/** Kills when the model is first asked at this stage, before it answers. */
function onStage({ api }: Place, stage: Stage, kill: () => void): void {
  api.respond = (request) => {
    const { stage: at, turn } = model(request);
    if (at === stage) kill();
    return turn;
  };
}

/** Kills when the sandbox is asked for this path the nth time; the model answers as scripted. */
function onSandbox(
  { api, sandbox }: Place,
  method: string,
  path: string,
  kill: () => void,
  nth = 1,
): void {
  api.respond = (request) => model(request).turn;
  const timer = setInterval(() => {
    if (count(sandbox, method, path) >= nth) {
      clearInterval(timer);
      kill();
    }
  }, 1);
  setTimeout(() => clearInterval(timer), 60_000).unref();
}
