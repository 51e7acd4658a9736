import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { ProposalStore } from '../../src/approvals/proposal-store.ts';
import { JOB_OPTIONS } from '../../src/queue/queues.ts';
import { RedisRunStore } from '../../src/workflows/run-store.ts';
import { startTestApp, type TestApp } from '../support/app.ts';
import { type Chaos, chaos, sleep, unclaimedPosts } from '../support/chaos.ts';
import {
  type Card,
  type ClickStatus,
  cardInThread,
  chaosDeployments,
  clickApprove,
  target,
  writesTo,
} from '../support/chaos-cards.ts';
import { type CliRun, runCli } from '../support/cli.ts';
import { writeConfigFile } from '../support/config-file.ts';
import {
  MessagesApi,
  type MessagesRequest,
  type ScriptedTurn,
  text,
  toolUse,
} from '../support/messages-api.ts';
import { queuesIdle } from '../support/queues-idle.ts';
import { dropPrefix, testPrefix, testRedisUrl } from '../support/redis.ts';
import { eventually, useSandbox } from '../support/sandbox.ts';
import { FakeSlack } from '../support/slack-api.ts';
import { messageTs } from '../support/slack-payloads.ts';

/**
 * Real `coxswain worker` processes SIGKILLed at random points over 50 runs: questions the
 * orchestrator delegates to a specialist, workflow runs of parallel steps, and questions whose
 * specialist proposes a change that an approver clicks through in Slack, executed against the
 * sandbox. Two workers run at a time; after a number of model and cluster requests drawn from a
 * seeded RNG one of them is killed and a fresh one started, KILLS times in all. Every run finishes
 * once, every approved change is written once, and no message reaches the channel twice.
 */
const ASKS = 20;
const WORKFLOWS = 15;
const FIXES = 15;
const KILLS = 8;
const CHANNEL = 'C0RUNS';
const sandbox = useSandbox(['oom-crashloop']);
const api = new MessagesApi();
const random = chaos();
const prefix = testPrefix();

const WORKFLOW = `
name: chaos-look
steps:
  - name: diagnose
    action: diagnose
    inputs: { namespace: payments }
  - name: history
    action: rollout-history
    needs: [diagnose]
    inputs: { namespace: payments, deployment: payments-api }
  - name: status
    action: cluster-status
    needs: [diagnose]
  - name: notify
    action: report
    needs: [history, status]
`;

let slack: FakeSlack;
let bot: TestApp | undefined;
let env: Record<string, string> = {};
const workers: CliRun[] = [];

beforeAll(async () => {
  slack = await FakeSlack.start();
  const workflowsDir = mkdtempSync(join(tmpdir(), 'coxswain-workflows-'));
  writeFileSync(join(workflowsDir, 'chaos-look.yaml'), WORKFLOW);
  env = {
    REDIS_URL: testRedisUrl(),
    REDIS_PREFIX: prefix,
    COXSWAIN_CONFIG: writeConfigFile({
      clusters: [{ name: 'sandbox', kubeconfig: sandbox.kubeconfig }],
      bindings: [
        {
          channel: `slack:${CHANNEL}`,
          clusters: ['sandbox'],
          namespaces: ['*'],
          maxTier: 'confirm',
          approvers: ['slack:U0SRE'],
        },
      ],
      // All 50 runs are in flight in one channel at once, each holding the run limit ($2).
      budgets: { channelDailyCostUsd: 1000 },
    }),
    WORKFLOWS_DIR: workflowsDir,
    SLACK_BOT_TOKEN: slack.botToken,
    SLACK_SIGNING_SECRET: slack.signingSecret,
    SLACK_API_URL: slack.apiUrl,
    SLACK_PACE_MS: '0',
    WORKER_LOCK_SECONDS: '2',
  };
  await chaosDeployments(sandbox.cluster, FIXES);
  bot = await startTestApp(env, 'bot');
}, 60_000);

afterAll(async () => {
  for (const worker of workers) if (worker.child.exitCode === null) worker.child.kill('SIGKILL');
  await bot?.stop();
  await slack?.close();
  await api.stop();
  await dropPrefix(testRedisUrl(), prefix);
});

function startWorker(baseUrl: string): CliRun {
  const worker = runCli(['worker'], {
    ...env,
    WORKER_PORT: '0',
    ANTHROPIC_API_KEY: 'sk-ant-test-chaos',
    ANTHROPIC_BASE_URL: baseUrl,
    WORKER_LOCK_SECONDS: '2',
    AUDIT_DIR: mkdtempSync(join(tmpdir(), 'coxswain-audit-')),
    LOG_LEVEL: 'warn',
  });
  workers.push(worker);
  return worker;
}

/**
 * The scripted model, answering at once from the request alone: the orchestrator delegates the
 * tagged question to the diagnostician and replies with the tag; the diagnostician lists pods,
 * or for a fix (`[fNN]`) proposes scaling web-NN to 2, then sums up.
 */
function model(request: MessagesRequest): ScriptedTurn {
  const tag = /\[([qf])(\d\d)\]/.exec(JSON.stringify(request.messages[0]))?.slice(1) ?? [];
  const [kind, n] = tag;
  const orchestrator = JSON.stringify(request.system).includes("Coxswain's orchestrator");
  const first = request.messages.length === 1;
  if (orchestrator && first)
    return {
      content: [
        toolUse('d1', 'delegate', {
          tasks: [{ agent: 'k8s-diagnostician', task: `[${kind}${n}] Look at the workload.` }],
        }),
      ],
    };
  if (orchestrator) return { content: [toolUse('r1', 'reply', { text: `Answer [${kind}${n}]` })] };
  if (!first) return { content: [text(`Looked [${kind}${n}].`)] };
  if (kind === 'f')
    return {
      content: [
        toolUse('s1', 'scale', { namespace: 'chaos', name: target(Number(n)), replicas: 2 }),
      ],
    };
  return { content: [toolUse('s1', 'list_pods', { namespace: 'payments' })] };
}

type Run = { id: string; kind: 'ask' | 'fix' | 'workflow'; tag: string; thread: string };

/** The 50 runs in a seeded order, each in a thread of its own. */
function plan(random: Chaos): Run[] {
  const runs: Run[] = [];
  const two = (i: number) => String(i).padStart(2, '0');
  for (let i = 0; i < ASKS; i++)
    runs.push({ id: '', kind: 'ask', tag: `[q${two(i)}]`, thread: '' });
  for (let i = 0; i < FIXES; i++)
    runs.push({ id: '', kind: 'fix', tag: `[f${two(i)}]`, thread: '' });
  for (let i = 0; i < WORKFLOWS; i++)
    runs.push({ id: '', kind: 'workflow', tag: `w${two(i)}`, thread: '' });
  return runs
    .map((run) => ({ run, key: random.next() }))
    .sort((a, b) => a.key - b.key)
    .map(({ run }) => {
      const thread = messageTs();
      const id = `${run.kind === 'workflow' ? 'workflow' : 'ask'}.chaos.${prefix}.${thread.replace('.', '')}`;
      return { ...run, id, thread };
    });
}

async function enqueue(runs: Queue, run: Run): Promise<void> {
  const common = {
    runId: run.id,
    channel: `slack:${CHANNEL}`,
    thread: run.thread,
    requester: 'slack:U0DANA',
    cluster: 'sandbox',
  };
  if (run.kind === 'workflow')
    await runs.add(
      'workflow',
      { kind: 'workflow', workflow: 'chaos-look', trigger: 'manual', inputs: {}, ...common },
      { jobId: run.id },
    );
  else
    await runs.add(
      'ask',
      {
        kind: 'ask',
        receivedAt: new Date().toISOString(),
        question: `${run.tag} What is wrong here?`,
        namespaces: ['*'],
        ...common,
      },
      { jobId: run.id },
    );
}

/**
 * Kills one of the two live workers (seeded) each time the model and the cluster have served a
 * seeded number of requests more, and starts a fresh one; KILLS times, then stops.
 */
function killAtRandomPoints(baseUrl: string): { kills: number[]; stop(): void } {
  const live = [startWorker(baseUrl), startWorker(baseUrl)];
  const kills: number[] = [];
  const served = () => api.requests.length + sandbox.requests.length;
  let next = served() + random.between(15, 60);
  const timer = setInterval(() => {
    if (kills.length >= KILLS) return clearInterval(timer);
    if (served() < next) return;
    const i = random.between(0, 1);
    live[i]?.child.kill('SIGKILL');
    live[i] = startWorker(baseUrl);
    kills.push(served());
    next = served() + random.between(15, 60);
  }, 5);
  return { kills, stop: () => clearInterval(timer) };
}

/** Approves each fix's card as soon as it is posted, as the approver does. */
async function approveFixes(fixes: Run[], url: string) {
  const clicked = new Map<string, ClickStatus[]>();
  const cards = new Map<string, Card>();
  await eventually(
    async () => {
      for (const run of fixes) {
        if (clicked.has(run.id)) continue;
        const card = cardInThread(slack, run.thread);
        if (card === undefined) continue;
        cards.set(run.id, card);
        clicked.set(run.id, await clickApprove(slack, () => url, card, 'U0SRE'));
      }
      return clicked.size === fixes.length ? true : undefined;
    },
    90_000,
    `every fix's card clicked (${random.label})`,
  );
  return { clicked, cards };
}

const inThread = (thread: string, pattern: string) =>
  slack
    .posted(CHANNEL)
    .filter((m) => m.thread_ts === thread && JSON.stringify([m.text, m.blocks]).includes(pattern));

it('finishes every run once and executes every approval once while workers are SIGKILLed', async () => {
  api.respond = model;
  const baseUrl = await api.start();
  const connection = { url: testRedisUrl() };
  const runs = new Queue('runs', { connection, prefix, defaultJobOptions: JOB_OPTIONS.runs });
  const redis = new Redis(testRedisUrl());
  const store = new ProposalStore(redis, prefix);
  const workflowRuns = new RedisRunStore(redis, prefix);
  const planned = plan(random);
  const chaosRun = killAtRandomPoints(baseUrl);
  try {
    for (const run of planned) {
      await enqueue(runs, run);
      await sleep(random.between(0, 40));
    }
    const fixes = planned.filter((r) => r.kind === 'fix');
    const { clicked, cards } = await approveFixes(
      fixes,
      `${(bot as TestApp).baseUrl}/slack/events`,
    );
    const finished = await eventually(
      async () => {
        const states = await Promise.all(planned.map((run) => runState(run, runs, workflowRuns)));
        return states.every((s) => s !== 'running') ? states : undefined;
      },
      90_000,
      `every run finished (${random.label})`,
    );
    const fixed = await eventually(
      async () => {
        const records = await Promise.all(
          fixes.map((run) => store.record(cards.get(run.id)?.id ?? '')),
        );
        return records.every((r) => r?.state === 'succeeded' || r?.state === 'failed')
          ? records
          : undefined;
      },
      60_000,
      `every approved fix executed (${random.label})`,
    );
    chaosRun.stop();
    const label = `${random.label} (kills after ${chaosRun.kills.join(', ')} requests)`;
    process.stdout.write(
      `worker kill: ${JSON.stringify({ seed: random.seed, kills: chaosRun.kills })}\n`,
    );

    expect(chaosRun.kills.length, label).toBe(KILLS);
    expect(finished, label).toEqual(planned.map(() => 'succeeded'));
    expect(
      [...clicked.values()].map((s) => s[0]),
      label,
    ).toEqual(fixes.map(() => 200));
    expect(
      fixed.map((r) => r?.state),
      label,
    ).toEqual(fixes.map(() => 'succeeded'));
    expect(
      fixes.map((_, i) => writesTo(sandbox.requests, target(i))),
      label,
    ).toEqual(fixes.map(() => 1));
    await queuesIdle({ redisUrl: testRedisUrl(), prefix });
    for (const run of planned) {
      const end = run.kind === 'workflow' ? 'chaos-look: succeeded' : `Answer ${run.tag}`;
      expect(inThread(run.thread, end).length, `${label} ${run.id}`).toBe(1);
    }
    expect(await unclaimedPosts(slack, testRedisUrl(), prefix), label).toEqual([]);
  } finally {
    chaosRun.stop();
    await runs.close();
    redis.disconnect();
  }
}, 240_000);

async function runState(run: Run, runs: Queue, store: RedisRunStore): Promise<string> {
  if (run.kind === 'workflow') {
    const view = await store.load(run.id);
    return view?.state === 'succeeded' || view?.state === 'failed' ? view.state : 'running';
  }
  const job = await runs.getJob(run.id);
  if (job?.finishedOn === undefined) return 'running';
  return job.failedReason === undefined && job.returnvalue?.answer === `Answer ${run.tag}`
    ? 'succeeded'
    : `failed: ${job.failedReason ?? JSON.stringify(job.returnvalue)}`;
}
