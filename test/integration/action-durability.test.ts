import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, expect, it } from 'vitest';
import { ProposalStore } from '../../src/approvals/proposal-store.ts';
import { JOB_OPTIONS } from '../../src/queue/queues.ts';
import { approvedMemoryChange } from '../support/approved-change.ts';
import { type CliRun, runCli } from '../support/cli.ts';
import { writeApprovalConfig } from '../support/config-file.ts';
import { dropPrefix, testPrefix, testRedisUrl } from '../support/redis.ts';
import { eventually, useSandbox } from '../support/sandbox.ts';

/**
 * A `coxswain worker` killed with SIGKILL after it wrote an approved change but before it said
 * so: the worker that takes the job over finds the change in place and reports it, and the
 * change is written once.
 */
const sandbox = useSandbox(['oom-crashloop']);
const workers: CliRun[] = [];
const prefix = testPrefix();

afterAll(async () => {
  for (const worker of workers) if (worker.child.exitCode === null) worker.child.kill('SIGKILL');
  await dropPrefix(testRedisUrl(), prefix);
});

it('applies an approved change once when the worker executing it is killed', async () => {
  const config = writeApprovalConfig({
    cluster: 'sandbox',
    kubeconfig: sandbox.kubeconfig,
    channel: 'web:ops',
    approvers: ['web:sre'],
  });
  const redis = new Redis(testRedisUrl());
  const store = new ProposalStore(redis, prefix);
  const actions = new Queue('actions', {
    connection: { url: testRedisUrl() },
    prefix,
    defaultJobOptions: JOB_OPTIONS.actions,
  });
  const worker = () => {
    const run = runCli(['worker'], {
      REDIS_URL: testRedisUrl(),
      REDIS_PREFIX: prefix,
      COXSWAIN_CONFIG: config,
      WORKER_PORT: '0',
      WORKER_LOCK_SECONDS: '2',
      LOG_LEVEL: 'warn',
      AUDIT_DIR: `${config}.audit`,
    });
    workers.push(run);
    return run;
  };
  try {
    // What the bot does on an approving click: the proposal approved, its job queued.
    const id = await approvedMemoryChange(store, sandbox.cluster, 'run-durable', 'fix', '384Mi');
    sandbox.resetRequests();
    const first = worker();
    await actions.add('execute', { proposalId: id }, { jobId: id });

    // Killed once the change is written, while it waits for the rollout to settle.
    const write = (r: { method: string; path: string; dryRun: boolean }) =>
      r.method === 'PATCH' && !r.dryRun && r.path.endsWith('/deployments/payments-api');
    await eventually(async () => (sandbox.requests.some(write) ? true : undefined), 30_000);
    first.child.kill('SIGKILL');
    expect((await store.record(id))?.state).toBe('executing');
    worker();

    const done = await eventually(async () => {
      const record = await store.record(id);
      return record?.state === 'succeeded' ? record : undefined;
    }, 60_000);
    expect(done.result?.summary).toContain('by the worker before this one');
    expect(done.result?.verified).toMatch(/^Rollout complete/);
    expect(sandbox.requests.filter(write)).toHaveLength(1);
    expect(done.transitions.map((t) => t.to)).toEqual(['approved', 'executing', 'succeeded']);
  } finally {
    await actions.close();
    redis.disconnect();
  }
}, 120_000);
