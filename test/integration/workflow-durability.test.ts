import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { beforeAll, describe, it } from 'vitest';
import { ProposalStore } from '../../src/approvals/proposal-store.ts';
import { JOB_OPTIONS } from '../../src/queue/queues.ts';
import { RedisRunStore } from '../../src/workflows/run-store.ts';
import { type CliRun, runCli } from '../support/cli.ts';
import { writeConfigFile } from '../support/config-file.ts';
import { dropPrefix, testPrefix, testRedisUrl } from '../support/redis.ts';
import { eventually, type TestSandbox, useSandbox } from '../support/sandbox.ts';

/**
 * Workers killed with SIGKILL in the middle of a workflow run, and another that finishes it: no
 * finished step runs again (each of its reads is made once), one proposal and one card at the
 * gate, the change applied once after approval, and one message of each kind.
 *
 * The cases run at once, each on a sandbox, a Redis prefix and workers of its own: most of a
 * case is waiting on processes that start and on locks that lapse.
 */
type Place = { sandbox: TestSandbox; configFile: string };
const places: Place[] = [0, 1, 2].map(() => ({
  sandbox: useSandbox(['oom-crashloop']),
  configFile: '',
}));
let workflowsDir = '';

const WORKFLOW = `
name: durable
inputs:
  memory: { type: string, required: true }
  pod: { type: string, required: true }
steps:
  - name: diagnose
    action: diagnose
    inputs: { namespace: payments }
  - name: logs
    action: analyze-logs
    needs: [diagnose]
    inputs: { namespace: payments, pod: "{{ inputs.pod }}" }
  - name: history
    action: rollout-history
    needs: [diagnose]
    inputs: { namespace: payments, deployment: payments-api }
  - name: fix
    needs: [logs, history]
    action: set-resources
    confirm: true
    inputs:
      namespace: payments
      name: payments-api
      container: api
      limits: { memory: "{{ inputs.memory }}" }
  - name: notify
    action: report
`;

beforeAll(() => {
  workflowsDir = mkdtempSync(join(tmpdir(), 'coxswain-workflows-'));
  writeFileSync(join(workflowsDir, 'durable.yaml'), WORKFLOW);
  for (const place of places)
    place.configFile = writeConfigFile({
      clusters: [{ name: 'sandbox', kubeconfig: place.sandbox.kubeconfig }],
      bindings: [
        {
          channel: 'web:ops',
          clusters: ['sandbox'],
          maxTier: 'confirm',
          approvers: ['web:sre'],
        },
      ],
    });
});

function startWorker(place: Place, prefix: string, workers: CliRun[]): CliRun {
  const worker = runCli(['worker'], {
    REDIS_URL: testRedisUrl(),
    REDIS_PREFIX: prefix,
    WORKER_PORT: '0',
    COXSWAIN_CONFIG: place.configFile,
    WORKFLOWS_DIR: workflowsDir,
    WORKER_LOCK_SECONDS: '2',
    LOG_LEVEL: 'warn',
    KUBECONFIG: place.sandbox.kubeconfig,
  });
  workers.push(worker);
  return worker;
}

const counter = (sandbox: TestSandbox) => (method: string, path: RegExp) =>
  sandbox.requests.filter((r) => r.method === method && path.test(r.path) && !r.dryRun).length;

/** A payments-api pod as the cluster has it now. */
async function podName(sandbox: TestSandbox): Promise<string> {
  const pods = await sandbox.cluster.core.listNamespacedPod({ namespace: 'payments' });
  const pod = pods.items.find((p) => p.metadata?.deletionTimestamp === undefined);
  if (pod?.metadata?.name === undefined) throw new Error('no payments pod');
  return pod.metadata.name;
}

type Point = { method: string; path: RegExp; dryRun: boolean };

/** Calls `kill` once the sandbox has served a request at `point`. */
function onRequest(sandbox: TestSandbox, point: Point, kill: () => void): void {
  const check = setInterval(() => {
    const served = sandbox.requests.some(
      (r) => r.method === point.method && point.path.test(r.path) && r.dryRun === point.dryRun,
    );
    if (served) {
      clearInterval(check);
      kill();
    }
  }, 5);
}

/** The reads only one step makes: how many there were tells whether that step ran again. */
const EVENTS = /^\/api\/v1\/namespaces\/payments\/events$/;
const LOG = /\/log$/;

// Each case sets another limit, so that its change is one whatever the cases before it applied.
describe.concurrent.each<[string, Point, string, number]>([
  ['while the first step reads', { method: 'GET', path: EVENTS, dryRun: false }, '320Mi', 0],
  ['while two steps run at once', { method: 'GET', path: LOG, dryRun: false }, '352Mi', 1],
  [
    'as the gate records its proposal',
    { method: 'PATCH', path: /\/deployments\/payments-api$/, dryRun: true },
    '384Mi',
    2,
  ],
])('a worker killed %s', (_when, killAt, memory, at) => {
  it('is finished by another: no step again, one card, one change', async ({ expect }) => {
    const place = places[at] as Place;
    const { sandbox } = place;
    const count = counter(sandbox);
    const workers: CliRun[] = [];
    const prefix = testPrefix();
    const connection = { url: testRedisUrl() };
    const runs = new Queue('runs', { connection, prefix, defaultJobOptions: JOB_OPTIONS.runs });
    const actions = new Queue('actions', { connection, prefix });
    const outbox = new Queue('outbox', { connection, prefix });
    const redis = new Redis(testRedisUrl());
    const store = new RedisRunStore(redis, prefix);
    const proposals = new ProposalStore(redis, prefix);
    sandbox.resetRequests();
    const runId = `workflow.durable.${prefix}`;
    try {
      const first = startWorker(place, prefix, workers);
      let atKill: Promise<{ finished: string[]; events: number; logs: number }> | undefined;
      onRequest(sandbox, killAt, () => {
        first.child.kill('SIGKILL');
        atKill = store.load(runId).then((view) => ({
          finished: Object.entries(view?.steps ?? {})
            .filter(([, step]) => step.state === 'succeeded')
            .map(([name]) => name),
          events: count('GET', EVENTS),
          logs: count('GET', LOG),
        }));
        startWorker(place, prefix, workers);
      });
      await runs.add(
        'workflow',
        {
          kind: 'workflow',
          runId,
          workflow: 'durable',
          trigger: 'manual',
          inputs: { memory, pod: await podName(sandbox) },
          channel: 'web:ops',
          requester: 'web:dana',
          cluster: 'sandbox',
        },
        { jobId: runId },
      );

      const waiting = await eventually(
        async () => {
          const view = await store.load(runId);
          return view?.state === 'waiting' ? view : undefined;
        },
        // Two worker processes start, a lock expires and the first steps run again: on a busy
        // machine that takes well over the 13 s it takes alone.
        60_000,
        'the run to reach its gate',
      );
      const killed = await atKill;
      if (killed === undefined) throw new Error('the worker was never killed');
      const gate = waiting.steps.fix;
      if (gate?.state !== 'waiting') throw new Error(`fix is ${gate?.state}`);
      const [proposal] = gate.proposals;
      await proposals.transition(proposal ?? '', ['pending'], 'approved', 'web:sre', {
        decidedBy: 'web:sre',
      });
      await actions.add('execute', { proposalId: proposal ?? '' }, { jobId: proposal ?? '' });

      const done = await eventually(
        async () => {
          const view = await store.load(runId);
          return view?.state === 'succeeded' ? view : undefined;
        },
        60_000,
        'the run to finish',
      );

      expect(Object.values(done.steps).map((s) => s.state)).toEqual([
        'succeeded',
        'succeeded',
        'succeeded',
        'succeeded',
        'succeeded',
      ]);
      // A step that had finished when its worker died did not run again.
      if (killed.finished.includes('diagnose')) expect(count('GET', EVENTS)).toBe(killed.events);
      if (killed.finished.includes('logs')) expect(count('GET', LOG)).toBe(killed.logs);
      expect(count('PATCH', /\/deployments\/payments-api$/)).toBe(1);
      expect(
        (await redis.keys(`${prefix}:proposal:*`)).filter((k) => /:proposal:[^:]+$/.test(k)),
      ).toEqual([`${prefix}:proposal:${proposal}`]);
      const posted = await outbox.getJobs(['waiting', 'active', 'completed', 'delayed', 'failed']);
      const pending = posted.filter((j) => j.name === 'card' && j.data.message.buttons?.length > 0);
      expect(pending).toHaveLength(1);
      const ends = posted.filter(
        (j) =>
          j.name === 'status' && String(j.data.message.headline).includes('durable: succeeded'),
      );
      expect(ends).toHaveLength(1);
      const deployment = await sandbox.cluster.apps.readNamespacedDeployment({
        namespace: 'payments',
        name: 'payments-api',
      });
      expect(deployment.spec?.template.spec?.containers[0]?.resources?.limits?.memory).toBe(memory);
    } finally {
      for (const worker of workers)
        if (worker.child.exitCode === null) worker.child.kill('SIGKILL');
      await Promise.all([runs.close(), actions.close(), outbox.close()]);
      redis.disconnect();
      await dropPrefix(testRedisUrl(), prefix);
    }
  }, 150_000);
});
