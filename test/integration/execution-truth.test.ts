import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  type ExecuteDeps,
  executeProposal,
  markFailed,
  WritesSuspendedError,
} from '../../src/approvals/execute-proposal.ts';
import { type ProposalStore, proposalId } from '../../src/approvals/proposal-store.ts';
import { AuditLog } from '../../src/audit/audit-log.ts';
import type { OutboxJob } from '../../src/chat/outbox-job.ts';
import {
  approvedMemoryChange,
  executeDeps,
  paymentsMemoryLimit,
} from '../support/approved-change.ts';
import { KubeGate } from '../support/kube-gate.ts';
import { dropPrefix, testPrefix, testRedisUrl } from '../support/redis.ts';
import { useSandbox } from '../support/sandbox.ts';

/**
 * What an approved change reports when the cluster goes away around its write: a change that
 * reached the cluster is never reported as not applied, whether the check after it failed, the
 * write's own answer was lost, or the worker died after writing.
 */
const sandbox = useSandbox(['oom-crashloop']);
const prefix = testPrefix();
let gate: KubeGate;
let redis: Redis;
let store: ProposalStore;
let deps: ExecuteDeps;
const posted: { jobId: string; data: OutboxJob }[] = [];

beforeAll(async () => {
  gate = await KubeGate.start(sandbox.sandbox.url);
  const kubeconfig = join(mkdtempSync(join(tmpdir(), 'coxswain-gate-')), 'kubeconfig');
  gate.writeKubeconfig(kubeconfig);
  redis = new Redis(testRedisUrl());
  deps = executeDeps(redis, prefix, kubeconfig, posted);
  store = deps.proposals;
});

afterAll(async () => {
  await gate.close();
  redis.disconnect();
  await dropPrefix(testRedisUrl(), prefix);
});

beforeEach(() => {
  gate.mode = 'pass';
  posted.length = 0;
});

const write = (r: { method: string; path: string; dryRun: boolean }) =>
  r.method === 'PATCH' && !r.dryRun && r.path.endsWith('/deployments/payments-api');

const approved = (call: string, memory: string) =>
  approvedMemoryChange(store, sandbox.cluster, 'run-truth', call, memory);
const memoryLimit = () => paymentsMemoryLimit(sandbox.cluster);

const reportOf = (id: string) => posted.find((p) => p.jobId.startsWith(`report.${id}.`));

describe('an approved change whose cluster goes away', () => {
  it('is reported applied, verification failed, when the cluster stops answering after the write', async () => {
    const id = await approved('verify-lost', '384Mi');
    gate.after(write, 'refuse');

    const result = await executeProposal(id, deps);

    expect(await memoryLimit()).toBe('384Mi');
    expect(result.state).toBe('succeeded');
    const record = await store.record(id);
    expect(record?.result?.summary).toMatch(/^Applied; verification failed: /);
    expect(record?.result?.unverified).toBe(true);
    const target = record?.action.target;
    expect(target !== undefined && 'resourceVersion' in target).toBe(true);
    expect(record?.applied?.resourceVersionBefore).toBe(
      target !== undefined && 'resourceVersion' in target ? target.resourceVersion : 'none',
    );
    expect(reportOf(id)?.data.message.text).toMatch(/^Applied, not verified: /);
    const audit = (await new AuditLog(redis, prefix).latest(50)).find(
      (e) => e.proposal === id && e.event === 'executed',
    );
    expect(audit?.outcome).toMatch(/^Applied; verification failed: /);
  });

  it('is reported as outcome unknown, not as not applied, when the write answer and the cluster are lost', async () => {
    const id = await approved('answer-lost', '448Mi');
    gate.after(write, 'refuse', true);

    const result = await executeProposal(id, deps);

    expect(await memoryLimit()).toBe('448Mi');
    expect(result.state).toBe('failed');
    const record = await store.record(id);
    expect(record?.result?.summary).toBe('outcome unknown');
    expect(record?.result?.error).toMatch(/could not be checked/);
    expect(reportOf(id)?.data.message.text).not.toMatch(/Not done/);
  });

  it('is reported applied when the worker died after writing it, whatever the cluster says now', async () => {
    const id = await approved('worker-died', '512Mi');
    await store.transition(id, ['approved'], 'executing', 'worker');
    await store.markApplied(id, { at: new Date().toISOString(), resourceVersionBefore: '1' });
    gate.mode = 'refuse';

    await markFailed(id, 'the job stalled more than allowable limit', deps);

    const record = await store.record(id);
    expect(record?.state).toBe('succeeded');
    expect(record?.result?.summary).toMatch(/^Applied; verification failed: the worker failed/);
  });

  it('writes nothing when writes were suspended after the job began, and writes once after resume', async () => {
    const id = await approved('suspended-meanwhile', '576Mi');
    await deps.suspension.suspend('cli:ops', 'freeze');
    sandbox.resetRequests();

    const held = await executeProposal(id, deps).catch((error: unknown) => error);
    const writesWhileHeld = sandbox.requests.filter(write).length;
    const stateWhileHeld = (await store.record(id))?.state;
    await deps.suspension.resume('cli:ops');
    const result = await executeProposal(id, deps);

    expect(held).toBeInstanceOf(WritesSuspendedError);
    expect(writesWhileHeld).toBe(0);
    expect(stateWhileHeld).toBe('executing');
    expect(result.state).toBe('succeeded');
    expect(sandbox.requests.filter(write)).toHaveLength(1);
    expect(await memoryLimit()).toBe('576Mi');
  });

  it('says there was nothing to do when another proposal made the same change first', async () => {
    const first = await approved('duplicate-a', '608Mi');
    const second = await approved('duplicate-b', '608Mi');
    await executeProposal(first, deps);
    sandbox.resetRequests();

    const result = await executeProposal(second, deps);

    expect(result.state).toBe('succeeded');
    expect(result.summary).toContain('Nothing to do: the change was already in place');
    expect(sandbox.requests.filter(write)).toHaveLength(0);
    expect(reportOf(second)?.data.message.text).not.toContain('answer was lost');
  });

  it('closes a card still offering a change another proposal has just made', async () => {
    const first = await approved('sibling-a', '624Mi');
    const action = (await store.record(first))?.action;
    if (action === undefined) return expect.fail('the first proposal');
    const second = proposalId('run-truth', 'sibling-b');
    await store.create({
      id: second,
      runId: 'run-truth',
      agent: 'ask',
      action,
      state: 'pending',
      createdAt: new Date().toISOString(),
    });
    await store.attach(second, {
      channel: 'web:ops',
      requester: 'web:dana',
      cluster: 'sandbox',
      expiresAt: new Date(Date.now() + 600_000).toISOString(),
    });

    await executeProposal(first, deps);

    const closed = await store.record(second);
    expect(closed?.state).toBe('superseded');
    expect(closed?.supersededBy).toBe(first);
    expect(posted.some((p) => p.jobId === `card.${second}.superseded`)).toBe(true);
  });
});
