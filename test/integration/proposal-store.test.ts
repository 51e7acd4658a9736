import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditEntry } from '../../src/approvals/audit-entry.ts';
import { expireProposals } from '../../src/approvals/expire-proposals.ts';
import { type Proposal, ProposalStore, proposalId } from '../../src/approvals/proposal-store.ts';
import { AuditFiles } from '../../src/audit/audit-files.ts';
import { AuditLog } from '../../src/audit/audit-log.ts';
import type { OutboxJob } from '../../src/chat/outbox-job.ts';
import { DEFAULT_AUTONOMY } from '../../src/config/policy-schema.ts';
import { createLogger } from '../../src/observability/logger.ts';
import type { KubeAction } from '../../src/tools/kubernetes/actions/action.ts';
import { dropPrefix, testPrefix, testRedisUrl } from '../support/redis.ts';

const prefix = testPrefix();
let redis: Redis;
let store: ProposalStore;

beforeAll(() => {
  redis = new Redis(testRedisUrl());
  store = new ProposalStore(redis, prefix);
});

afterAll(async () => {
  redis.disconnect();
  await dropPrefix(testRedisUrl(), prefix);
});

const action: KubeAction = {
  type: 'set-resources',
  verb: 'patch',
  target: {
    cluster: 'prod',
    namespace: 'payments',
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    name: 'payments-api',
    uid: 'u1',
    resourceVersion: '10',
  },
  change: { method: 'patch', patchType: 'strategic', body: { spec: {} } },
  summary: 'set memory limit 256Mi → 384Mi for container api of deployment payments/payments-api',
  changes: [
    {
      path: 'spec.template.spec.containers[api].resources.limits.memory',
      from: '256Mi',
      to: '384Mi',
    },
  ],
  diff: '-  memory: 256Mi\n+  memory: 384Mi',
  digest: 'a'.repeat(64),
};

async function fresh(call: string): Promise<string> {
  const proposal: Proposal = {
    id: proposalId('run-1', call),
    runId: 'run-1',
    agent: 'k8s-diagnostician',
    action,
    state: 'pending',
    createdAt: new Date().toISOString(),
  };
  await store.create(proposal);
  await store.attach(proposal.id, {
    channel: 'slack:C0OPS',
    requester: 'slack:U0DANA',
    cluster: 'prod',
    expiresAt: new Date(Date.now() + 3_600_000).toISOString(),
  });
  return proposal.id;
}

describe('ProposalStore transitions', () => {
  it('makes one decision of two approvals at once, and records who and when', async () => {
    const id = await fresh('double');

    const outcomes = await Promise.all([
      store.transition(id, ['pending'], 'approved', 'slack:U0LEAD', { decidedBy: 'slack:U0LEAD' }),
      store.transition(id, ['pending'], 'approved', 'slack:U0SAM', { decidedBy: 'slack:U0SAM' }),
    ]);

    expect(outcomes.filter((o) => o.ok)).toHaveLength(1);
    expect(outcomes.find((o) => !o.ok)).toEqual({ ok: false, state: 'approved' });
    const record = await store.record(id);
    expect(record?.state).toBe('approved');
    expect(record?.transitions).toHaveLength(1);
    expect(record?.transitions[0]).toMatchObject({ from: 'pending', to: 'approved' });
    expect(record?.transitions[0]?.actor).toBe(record?.decidedBy);
  });

  it('lets approve and reject race to one outcome', async () => {
    for (let i = 0; i < 20; i++) {
      const id = await fresh(`race-${i}`);

      const [approve, reject] = await Promise.all([
        store.transition(id, ['pending'], 'approved', 'slack:U0LEAD'),
        store.transition(id, ['pending'], 'rejected', 'slack:U0SAM'),
      ]);

      expect(Number(approve.ok) + Number(reject.ok)).toBe(1);
      const record = await store.record(id);
      expect(record?.state).toBe(approve.ok ? 'approved' : 'rejected');
    }
  });

  it('keeps the life of a proposal: pending, approved, executing, succeeded, with its result', async () => {
    const id = await fresh('life');
    expect(await store.pending()).toContain(id);

    await store.transition(id, ['pending'], 'approved', 'slack:U0LEAD');
    await store.transition(id, ['approved'], 'executing', 'worker');
    await store.transition(id, ['executing'], 'succeeded', 'worker', {
      result: { summary: 'applied', resourceVersionBefore: '10', resourceVersionAfter: '11' },
    });
    const again = await store.transition(id, ['approved'], 'executing', 'worker');

    const record = await store.record(id);
    expect(record?.transitions.map((t) => t.to)).toEqual(['approved', 'executing', 'succeeded']);
    expect(record?.result?.resourceVersionAfter).toBe('11');
    expect(record?.origin?.requester).toBe('slack:U0DANA');
    expect(again).toEqual({ ok: false, state: 'succeeded' });
    expect(await store.pending()).not.toContain(id);
  });

  it('shows a card once: a second attach leaves the first place', async () => {
    const id = await fresh('attach');

    const second = await store.attach(id, {
      channel: 'slack:C0OTHER',
      requester: 'slack:U0EVE',
      cluster: 'prod',
      expiresAt: new Date().toISOString(),
    });

    expect(second).toBe(false);
    expect((await store.record(id))?.origin?.channel).toBe('slack:C0OPS');
  });

  it('expires undecided cards once their window has passed, and only those', async () => {
    const due = await fresh('expire-due');
    const later = await fresh('expire-later');
    const origin = (await store.record(due))?.origin;
    await redis.hset(
      `${prefix}:proposal:${due}:state`,
      'origin',
      JSON.stringify({ ...origin, expiresAt: new Date(Date.now() - 1).toISOString() }),
    );
    const outbox = new Queue<OutboxJob>('outbox', { connection: { url: testRedisUrl() }, prefix });

    const expired = await expireProposals({
      proposals: store,
      outbox,
      autonomy: DEFAULT_AUTONOMY,
      dashboardUrl: undefined,
      log: createLogger('silent'),
    });

    expect(expired).toContain(due);
    expect(expired).not.toContain(later);
    expect((await store.record(due))?.transitions.at(-1)).toMatchObject({
      to: 'expired',
      actor: 'expiry',
    });
    expect((await outbox.getJob(`card.${due}.expired`))?.data.replaceKey).toBe(`card.${due}`);
    await outbox.close();
  });
});

describe('ProposalStore audit entries', () => {
  it('adds exactly one audit entry with the transition that makes it, none with one refused', async () => {
    const id = await fresh('audited');
    const record = await store.record(id);
    if (record === undefined) throw new Error('no record');
    const audit = new AuditLog(redis, prefix);
    const entriesOf = async () => (await audit.latest(1_000)).filter((e) => e.proposal === id);
    const approved = auditEntry(
      { ...record, decidedBy: 'slack:U0LEAD' },
      'approved',
      new Date(),
      'queued for execution',
    );

    const first = await store.transition(id, ['pending'], 'approved', 'slack:U0LEAD', {
      decidedBy: 'slack:U0LEAD',
      audit: approved,
    });
    const second = await store.transition(id, ['pending'], 'approved', 'slack:U0SAM', {
      decidedBy: 'slack:U0SAM',
      audit: { ...approved, approver: 'slack:U0SAM' },
    });

    expect(first.ok).toBe(true);
    expect(second.ok).toBe(false);
    const entries = await entriesOf();
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({
      event: 'approved',
      approver: 'slack:U0LEAD',
      approval: 'user-confirmed',
    });
  });

  it('keeps the entry of a transition whose process died before any file was written', async () => {
    const id = await fresh('crashed');
    const record = await store.record(id);
    if (record === undefined) throw new Error('no record');
    const dir = mkdtempSync(join(tmpdir(), 'coxswain-audit-crash-'));

    // The transition is the last thing the process did: nothing copied the stream to the files.
    await store.transition(id, ['pending'], 'rejected', 'slack:U0LEAD', {
      decidedBy: 'slack:U0LEAD',
      audit: auditEntry(record, 'rejected', new Date(), 'nothing changed'),
    });
    const written = await new AuditFiles(redis, prefix, dir, createLogger('silent')).catchUp();

    const lines = readdirSync(dir).flatMap((f) =>
      readFileSync(join(dir, f), 'utf8').split('\n').filter(Boolean),
    );
    expect(written).toBeGreaterThan(0);
    expect(
      lines
        .map((l) => JSON.parse(l) as { proposal?: string; event: string })
        .filter((e) => e.proposal === id),
    ).toEqual([expect.objectContaining({ event: 'rejected' })]);
    rmSync(dir, { recursive: true, force: true });
  });
});
