import type { V1Pod, V1ReplicaSet } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import type { Finding } from './analyzers/index.ts';
import { rankFindings, withRanked } from './rank-findings.ts';
import { emptySnapshot } from './snapshot.ts';

function finding(overrides: Partial<Finding> & Pick<Finding, 'rule' | 'object'>): Finding {
  return {
    severity: 'critical',
    title: overrides.rule,
    cause: 'a cause',
    confidence: 'certain',
    confidenceReason: 'a reason',
    evidence: [],
    ...overrides,
  };
}

const pod = (name: string, replicaSet: string, labels: Record<string, string> = {}): V1Pod => ({
  metadata: {
    name,
    namespace: 'shop',
    labels,
    ownerReferences: [
      { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: replicaSet, uid: replicaSet },
    ],
  },
});
const replicaSet = (name: string, deployment: string): V1ReplicaSet => ({
  metadata: {
    name,
    namespace: 'shop',
    ownerReferences: [
      { apiVersion: 'apps/v1', kind: 'Deployment', name: deployment, uid: deployment },
    ],
  },
});

const snapshot = {
  ...emptySnapshot(),
  pods: [pod('web-1', 'web-abc', { app: 'web' }), pod('db-1', 'db-abc')],
  replicaSets: [replicaSet('web-abc', 'web'), replicaSet('db-abc', 'db')],
  services: [{ metadata: { name: 'web', namespace: 'shop' }, spec: { selector: { app: 'web' } } }],
};
const rollout = finding({
  rule: 'rollout-failed',
  object: { kind: 'Deployment', namespace: 'shop', name: 'web' },
});
const oom = finding({
  rule: 'oom-killed',
  object: { kind: 'Pod', namespace: 'shop', name: 'web-1' },
});

describe('rankFindings', () => {
  it('puts the most severe first, then the surest of its cause', () => {
    const warning = finding({
      rule: 'w',
      severity: 'warning',
      object: { kind: 'Node', name: 'n' },
    });
    const unsure = finding({
      rule: 'u',
      confidence: 'unsure',
      object: { kind: 'Node', name: 'a' },
    });
    const likely = finding({
      rule: 'l',
      confidence: 'likely',
      object: { kind: 'Node', name: 'b' },
    });

    const ranked = rankFindings([warning, unsure, likely], snapshot);

    expect(ranked.map((f) => f.rule)).toEqual(['l', 'u', 'w']);
  });

  it("never pulls a pod's info finding ahead of a workload's problem", () => {
    const note = finding({ ...oom, rule: 'pod/note', severity: 'info' });

    expect(rankFindings([note, rollout], snapshot)).toEqual([rollout, note]);
  });

  it("leads with a pod's cause before the failed rollout of its Deployment", () => {
    const ranked = rankFindings([rollout, oom], snapshot);

    expect(ranked.map((f) => f.rule)).toEqual(['oom-killed', 'rollout-failed']);
  });

  it("leads with a pod's cause before a Service that selects it, even a more severe one", () => {
    const service = finding({
      rule: 'service-no-endpoints',
      object: { kind: 'Service', namespace: 'shop', name: 'web' },
    });
    const warningOom = { ...oom, severity: 'warning' as const };

    const ranked = rankFindings([service, warningOom], snapshot);

    expect(ranked.map((f) => f.rule)).toEqual(['oom-killed', 'service-no-endpoints']);
  });

  it('keeps the rollout first when its pod does not know why it fails, or is another workload', () => {
    const unsure = { ...oom, rule: 'crash-loop', confidence: 'unsure' as const };
    const other = { ...oom, object: { kind: 'Pod', namespace: 'shop', name: 'db-1' } };

    expect(rankFindings([rollout, unsure], snapshot).map((f) => f.rule)).toEqual([
      'rollout-failed',
      'crash-loop',
    ]);
    expect(rankFindings([rollout, other], snapshot)[0]).toBe(rollout);
  });
});

describe('withRanked', () => {
  it('tells a finding read elsewhere after a known crash cause and before what ranks after it', () => {
    const nearLimit = finding({
      rule: 'memory-near-limit',
      severity: 'warning',
      object: { kind: 'Pod', namespace: 'shop', name: 'web-2' },
    });
    const unsure = finding({
      rule: 'u',
      severity: 'warning',
      confidence: 'unsure',
      object: { kind: 'Node', name: 'a' },
    });
    const note = finding({ ...oom, rule: 'pod/note', severity: 'info' });

    const ranked = withRanked([oom, unsure, note], [nearLimit]);

    expect(ranked.map((f) => f.rule)).toEqual(['oom-killed', 'memory-near-limit', 'u', 'pod/note']);
    expect(withRanked([], [nearLimit])).toEqual([nearLimit]);
  });
});
