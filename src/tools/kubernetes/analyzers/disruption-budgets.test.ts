import type { V1Node, V1Pod, V1PodDisruptionBudget } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { emptySnapshot } from '../snapshot.ts';
import { analyzeDisruptionBudgets } from './disruption-budgets.ts';

const NS = 'payments';

function budget(
  status: V1PodDisruptionBudget['status'] | undefined,
  spec: V1PodDisruptionBudget['spec'] = { minAvailable: 3 },
): V1PodDisruptionBudget {
  return {
    apiVersion: 'policy/v1',
    kind: 'PodDisruptionBudget',
    metadata: { name: 'payments-api', namespace: NS },
    spec: { selector: { matchLabels: { app: 'payments-api' } }, ...spec },
    ...(status === undefined ? {} : { status }),
  };
}

const pod = (name: string, nodeName: string): V1Pod => ({
  metadata: { name, namespace: NS, labels: { app: 'payments-api' } },
  spec: { nodeName, containers: [{ name: 'api' }] },
  status: { phase: 'Running' },
});

const cordoned: V1Node = { metadata: { name: 'worker-1' }, spec: { unschedulable: true } };

describe('disruption budgets', () => {
  it('say a budget that blocks a drain in progress', () => {
    const snapshot = {
      ...emptySnapshot(),
      pdbs: [
        budget({ disruptionsAllowed: 0, currentHealthy: 3, desiredHealthy: 3, expectedPods: 3 }),
      ],
      pods: [pod('payments-api-1', 'worker-1'), pod('payments-api-2', 'worker-2')],
      nodes: [cordoned],
    };

    const [finding] = analyzeDisruptionBudgets(snapshot);

    expect(finding).toMatchObject({
      rule: 'pdb/blocking-drain',
      severity: 'warning',
      confidence: 'certain',
    });
    expect(finding?.cause).toBe(
      'its minAvailable 3 needs all 3 pods healthy, so it never allows a voluntary eviction (a drain waits forever)',
    );
    expect(finding?.evidence).toContain('Pod payments-api-1 runs on cordoned node worker-1');
  });

  it('say unhealthy pods holding a budget at zero as info when nothing is being drained', () => {
    const [finding] = analyzeDisruptionBudgets({
      ...emptySnapshot(),
      pdbs: [
        budget(
          { disruptionsAllowed: 0, currentHealthy: 1, desiredHealthy: 2, expectedPods: 3 },
          { maxUnavailable: 1 },
        ),
      ],
    });

    expect(finding).toMatchObject({ rule: 'pdb/no-disruptions-allowed', severity: 'info' });
    expect(finding?.cause).toContain(
      'only 1 of its 3 pods are healthy and it needs 2 (maxUnavailable 1)',
    );
  });

  it('find nothing for a budget that allows a disruption, or one without a status yet', () => {
    const findings = analyzeDisruptionBudgets({
      ...emptySnapshot(),
      pdbs: [
        budget({ disruptionsAllowed: 1, currentHealthy: 3, desiredHealthy: 2, expectedPods: 3 }),
        budget(undefined),
      ],
    });

    expect(findings).toEqual([]);
  });
});
