import type { V1Deployment, V1Pod, V1ReplicaSet } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { emptySnapshot } from '../snapshot.ts';
import { analyzeRollouts } from './rollouts.ts';

const NS = 'orders';

const deployment: V1Deployment = {
  metadata: {
    name: 'orders-api',
    namespace: NS,
    uid: 'd-1',
    annotations: { 'deployment.kubernetes.io/revision': '2' },
  },
  spec: { replicas: 3, progressDeadlineSeconds: 300, selector: {}, template: {} },
  status: {
    replicas: 4,
    updatedReplicas: 2,
    availableReplicas: 2,
    unavailableReplicas: 2,
    conditions: [
      { type: 'Available', status: 'True', reason: 'MinimumReplicasAvailable' },
      {
        type: 'ReplicaFailure',
        status: 'True',
        reason: 'FailedCreate',
        message:
          'pods "orders-api-6b7c-" is forbidden: exceeded quota: compute, requested: pods=1, used: pods=4, limited: pods=4',
      },
      {
        type: 'Progressing',
        status: 'False',
        reason: 'ProgressDeadlineExceeded',
        message: 'ReplicaSet "orders-api-6b7c" has timed out progressing.',
      },
    ],
  },
};

function replicaSet(name: string, revision: number, image: string): V1ReplicaSet {
  return {
    metadata: {
      name,
      namespace: NS,
      annotations: { 'deployment.kubernetes.io/revision': String(revision) },
      ownerReferences: [
        { apiVersion: 'apps/v1', kind: 'Deployment', name: 'orders-api', uid: 'd-1' },
      ],
    },
    spec: { selector: {}, template: { spec: { containers: [{ name: 'api', image }] } } },
    status: { replicas: 2, availableReplicas: revision === 1 ? 2 : 0 },
  };
}

function newPod(name: string, status: NonNullable<V1Pod['status']>): V1Pod {
  return {
    metadata: {
      name,
      namespace: NS,
      ownerReferences: [
        { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'orders-api-6b7c', uid: 'rs-2' },
      ],
    },
    status,
  };
}

describe('rollouts', () => {
  it('say what the new pods are stuck in, and why more are refused, keeping the rollback', () => {
    const crashing = newPod('orders-api-6b7c-a', {
      phase: 'Running',
      containerStatuses: [
        {
          name: 'api',
          image: 'orders-api:1.5.0',
          imageID: '',
          ready: false,
          restartCount: 5,
          state: { waiting: { reason: 'CrashLoopBackOff' } },
        },
      ],
    });
    const waiting = newPod('orders-api-6b7c-b', { phase: 'Pending' });
    const snapshot = {
      ...emptySnapshot(),
      deployments: [deployment],
      replicaSets: [
        replicaSet('orders-api-6b7c', 2, 'orders-api:1.5.0'),
        replicaSet('orders-api-5d4f', 1, 'orders-api:1.4.0'),
      ],
      pods: [crashing, waiting],
    };

    const [finding] = analyzeRollouts(snapshot);

    expect(finding).toMatchObject({
      rule: 'rollout/progress-deadline',
      severity: 'critical',
      confidence: 'certain',
    });
    expect(finding?.cause).toBe(
      'the new pods did not become available within the progress deadline (300s); its new pods: 1 CrashLoopBackOff, 1 Pending, pods refused: pods "orders-api-6b7c-" is forbidden: exceeded quota: compute, requested: pods=1, used: pods=4, limited: pods=4',
    );
    expect(finding?.evidence).toContain(
      'Deployment orders-api status.conditions[Progressing]: False (ProgressDeadlineExceeded): ReplicaSet "orders-api-6b7c" has timed out progressing.',
    );
    expect(finding?.action).toMatchObject({ type: 'rollback', toRevision: 1 });
  });

  it('find nothing for a deployment that finished its rollout', () => {
    const done: V1Deployment = {
      ...deployment,
      status: {
        replicas: 3,
        updatedReplicas: 3,
        availableReplicas: 3,
        conditions: [{ type: 'Progressing', status: 'True', reason: 'NewReplicaSetAvailable' }],
      },
    };

    expect(analyzeRollouts({ ...emptySnapshot(), deployments: [done] })).toEqual([]);
  });
});
