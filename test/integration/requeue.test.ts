import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DecideDeps, decide } from '../../src/approvals/decide.ts';
import { ProposalStore, proposalId } from '../../src/approvals/proposal-store.ts';
import { AuditLog } from '../../src/audit/audit-log.ts';
import { DEFAULT_AUTONOMY } from '../../src/config/policy-schema.ts';
import { createLogger } from '../../src/observability/logger.ts';
import { SuspendSwitch } from '../../src/policy/suspend.ts';
import type { ActionJob } from '../../src/queue/jobs.ts';
import type { KubeAction } from '../../src/tools/kubernetes/actions/action.ts';
import { dropPrefix, testPrefix, testRedisUrl } from '../support/redis.ts';

const prefix = testPrefix();
let redis: Redis;
let store: ProposalStore;
let actions: Queue<ActionJob>;
let deps: DecideDeps;

beforeAll(() => {
  redis = new Redis(testRedisUrl());
  store = new ProposalStore(redis, prefix);
  actions = new Queue<ActionJob>('actions', { connection: redis, prefix });
  deps = {
    proposals: store,
    actions,
    outbox: { add: async () => undefined },
    bindings: [
      {
        channel: 'slack:C0OPS',
        clusters: ['prod'],
        namespaces: ['*'],
        maxTier: 'confirm',
        approvers: ['slack:U0LEAD'],
        allowSelfApproval: false,
      },
    ],
    autonomy: DEFAULT_AUTONOMY,
    log: createLogger('silent'),
    suspension: new SuspendSwitch(redis, prefix),
    people: [],
    dashboardUrl: undefined,
  };
});

afterAll(async () => {
  await actions.close();
  redis.disconnect();
  await dropPrefix(testRedisUrl(), prefix);
});

const action: KubeAction = {
  type: 'scale',
  verb: 'scale',
  target: {
    cluster: 'prod',
    namespace: 'shop',
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    name: 'cart',
    uid: 'u1',
    resourceVersion: '10',
  },
  change: { method: 'patch', patchType: 'merge', body: { spec: { replicas: 3 } } },
  summary: 'scale deployment shop/cart to 3',
  changes: [{ path: 'spec.replicas', from: '2', to: '3' }],
  diff: '-  replicas: 2\n+  replicas: 3',
  digest: 'b'.repeat(64),
};

/** An approved proposal whose actions job never made it to the queue. */
async function approvedWithoutJob(call: string, expiresInMs: number): Promise<string> {
  const id = proposalId('run-requeue', call);
  await store.create({
    id,
    runId: 'run-requeue',
    agent: 'k8s-diagnostician',
    action,
    state: 'pending',
    createdAt: new Date().toISOString(),
  });
  await store.attach(id, {
    channel: 'slack:C0OPS',
    requester: 'slack:U0DANA',
    cluster: 'prod',
    expiresAt: new Date(Date.now() + expiresInMs).toISOString(),
  });
  await store.transition(id, ['pending'], 'approved', 'slack:U0LEAD', {
    decidedBy: 'slack:U0LEAD',
  });
  return id;
}

const click = (id: string) => ({
  channel: 'slack:C0OPS',
  requester: 'slack:U0LEAD',
  action: 'approve',
  value: id,
  clickId: `click-${id}`,
});

describe('a click on an approved proposal whose job was lost', () => {
  it('queues the job again while the proposal has not expired', async () => {
    const id = await approvedWithoutJob('in-time', 600_000);

    await decide(click(id), 'approve', deps);

    expect(await actions.getJob(id)).toBeDefined();
    expect((await store.record(id))?.state).toBe('approved');
  });

  it('queues nothing once it has expired, closes it as not applied, and says so', async () => {
    const id = await approvedWithoutJob('too-late', -1_000);

    const outcome = await decide(click(id), 'approve', deps);

    expect(outcome).toMatchObject({
      kind: 'reply',
      message: { headline: 'This approval was never carried out and has expired' },
    });
    expect(await actions.getJob(id)).toBeUndefined();
    const record = await store.record(id);
    expect(record?.state).toBe('failed');
    expect(record?.result?.summary).toBe('not applied');
    const audit = (await new AuditLog(redis, prefix).latest(20)).filter((e) => e.proposal === id);
    expect(audit.map((e) => e.event)).toEqual(['failed']);
  });
});
