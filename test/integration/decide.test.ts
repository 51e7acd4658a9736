import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DecideDeps, decide } from '../../src/approvals/decide.ts';
import { ProposalStore, proposalId } from '../../src/approvals/proposal-store.ts';
import type { OutboxJob } from '../../src/chat/outbox-job.ts';
import { Binding, DEFAULT_AUTONOMY } from '../../src/config/policy-schema.ts';
import { createLogger } from '../../src/observability/logger.ts';
import { SuspendSwitch } from '../../src/policy/suspend.ts';
import type { ActionJob } from '../../src/queue/jobs.ts';
import type { KubeAction } from '../../src/tools/kubernetes/actions/action.ts';
import { dropPrefix, testPrefix, testRedisUrl } from '../support/redis.ts';

/**
 * A change too long for a chat card is decided on the dashboard: a click on a Slack card is
 * refused (the card shows no Approve, and a stale or crafted click gets no further), while the
 * same approver signed in to the dashboard decides it.
 */
const prefix = testPrefix();
let redis: Redis;
let deps: DecideDeps;

const many = Array.from({ length: 60 }, (_, i) => ({
  path: `data.SOME_RATHER_LONG_SETTING_NAME_${i}`,
  from: '[redacted]',
  to: '[redacted; changed]',
}));
const action: KubeAction = {
  type: 'patch',
  verb: 'patch',
  target: {
    cluster: 'prod',
    namespace: 'payments',
    apiVersion: 'v1',
    kind: 'ConfigMap',
    name: 'settings',
    uid: 'u-1',
    resourceVersion: '7',
  },
  change: { method: 'patch', patchType: 'merge', body: {} },
  summary: 'patch configmap payments/settings: 60 fields',
  changes: many,
  diff: '',
  digest: '0'.repeat(64),
};

beforeAll(() => {
  redis = new Redis(testRedisUrl());
  const connection = { url: testRedisUrl() };
  deps = {
    proposals: new ProposalStore(redis, prefix),
    actions: new Queue<ActionJob>('actions', { connection, prefix }),
    outbox: new Queue<OutboxJob>('outbox', { connection, prefix }),
    bindings: [
      Binding.parse({
        channel: 'slack:C0OPS',
        clusters: ['prod'],
        maxTier: 'confirm',
        approvers: ['slack:U0LEAD', 'web:lead'],
      }),
    ],
    autonomy: DEFAULT_AUTONOMY,
    dashboardUrl: 'https://cox.example.com',
    people: [],
    suspension: new SuspendSwitch(redis, prefix),
    log: createLogger('silent'),
  };
});

afterAll(async () => {
  redis.disconnect();
  await dropPrefix(testRedisUrl(), prefix);
});

async function pending(call: string): Promise<string> {
  const id = proposalId('run-large', call);
  await deps.proposals.create({
    id,
    runId: 'run-large',
    agent: 'k8s-diagnostician',
    action,
    state: 'pending',
    createdAt: new Date().toISOString(),
  });
  await deps.proposals.attach(id, {
    channel: 'slack:C0OPS',
    requester: 'slack:U0ASK',
    cluster: 'prod',
    expiresAt: new Date(Date.now() + 3_600_000).toISOString(),
  });
  return id;
}

describe('a change too long for chat', () => {
  it('is not approved from a Slack click', async () => {
    const id = await pending('slack');

    const outcome = await decide(
      {
        channel: 'slack:C0OPS',
        requester: 'slack:U0LEAD',
        action: 'approve',
        value: id,
        clickId: 'c1',
      },
      'approve',
      deps,
    );

    expect(outcome).toMatchObject({
      kind: 'reply',
      message: { headline: 'Approve this on the dashboard' },
    });
    expect((await deps.proposals.record(id))?.state).toBe('pending');
  });

  it('is approved by the same channel’s approver signed in to the dashboard', async () => {
    const id = await pending('dashboard');

    const outcome = await decide(
      {
        channel: 'slack:C0OPS',
        requester: 'web:lead',
        action: 'approve',
        value: id,
        clickId: 'dashboard.1',
      },
      'approve',
      deps,
    );

    expect(outcome.kind).toBe('queued');
    expect((await deps.proposals.record(id))?.state).toBe('approved');
  });

  it('may still be rejected from chat', async () => {
    const id = await pending('reject');

    const outcome = await decide(
      {
        channel: 'slack:C0OPS',
        requester: 'slack:U0LEAD',
        action: 'reject',
        value: id,
        clickId: 'c2',
      },
      'reject',
      deps,
    );

    expect(outcome.kind).toBe('queued');
    expect((await deps.proposals.record(id))?.state).toBe('rejected');
  });
});
