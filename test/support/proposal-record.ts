import type { ProposalRecord } from '../../src/approvals/proposal-store.ts';

/**
 * A proposal record as the store keeps it, for unit tests of what reads one: a memory patch of
 * payments/api on prod, shown in slack:C0OPS, pending and undecided unless `overrides` say more.
 */
export function proposalRecord(overrides: Partial<ProposalRecord> = {}): ProposalRecord {
  return {
    id: 'pAbc123',
    runId: 'run-1',
    agent: 'k8s-diagnostician',
    state: 'pending',
    createdAt: '2026-12-06T10:00:00.000Z',
    action: {
      type: 'patch',
      verb: 'patch',
      target: {
        cluster: 'prod',
        namespace: 'payments',
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        name: 'api',
        uid: 'u-1',
        resourceVersion: '7',
      },
      change: { method: 'patch', patchType: 'strategic', body: {} },
      summary: 'patch deployment payments/api',
      changes: [],
      diff: '',
      digest: '0'.repeat(64),
    },
    origin: {
      channel: 'slack:C0OPS',
      requester: 'slack:U0ASK',
      cluster: 'prod',
      expiresAt: '2026-12-06T11:00:00.000Z',
    },
    decidedBy: undefined,
    decidedAt: undefined,
    decidedVia: [],
    result: undefined,
    supersededBy: undefined,
    applied: undefined,
    writing: undefined,
    transitions: [],
    ...overrides,
  };
}
