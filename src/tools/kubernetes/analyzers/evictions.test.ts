import type { CoreV1Event, V1Pod, V1ReplicaSet } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { emptySnapshot } from '../snapshot.ts';
import { analyzeEvictions } from './evictions.ts';

const NS = 'media';
const MEMORY =
  'The node was low on resource: memory. Threshold quantity: 100Mi, available: 51200Ki. Container app was using 3842Mi, request is 256Mi, has larger consumption of memory. ';
const DISK =
  'The node was low on resource: ephemeral-storage. Threshold quantity: 10Gi, available: 9Gi. Container thanos was using 16Ki, which exceeds its request of 0. ';

const replicaSet: V1ReplicaSet = {
  metadata: {
    name: 'image-resizer-7c9d',
    namespace: NS,
    ownerReferences: [
      {
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        name: 'image-resizer',
        uid: 'd-1',
        controller: true,
      },
    ],
  },
};

function evicted(name: string, message: string, extra: Partial<V1Pod['status']> = {}): V1Pod {
  return {
    metadata: {
      name,
      namespace: NS,
      ownerReferences: [
        {
          apiVersion: 'apps/v1',
          kind: 'ReplicaSet',
          name: 'image-resizer-7c9d',
          uid: 'rs-1',
          controller: true,
        },
      ],
    },
    spec: { nodeName: 'worker-2', containers: [{ name: 'app' }] },
    status: {
      phase: 'Failed',
      reason: 'Evicted',
      message,
      conditions: [
        { type: 'DisruptionTarget', status: 'True', reason: 'TerminationByKubelet', message },
      ],
      ...extra,
    },
  };
}

describe('evictions', () => {
  it('group the pods of one workload evicted for memory, with the usage against the request', () => {
    const snapshot = {
      ...emptySnapshot(),
      replicaSets: [replicaSet],
      pods: [evicted('image-resizer-7c9d-a', MEMORY), evicted('image-resizer-7c9d-b', MEMORY)],
    };

    const findings = analyzeEvictions(snapshot);

    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({
      rule: 'eviction/memory',
      severity: 'warning',
      object: { kind: 'Deployment', namespace: NS, name: 'image-resizer' },
      title: '2 pods of deployment image-resizer were evicted',
      confidence: 'certain',
    });
    expect(findings[0]?.cause).toBe(
      'node worker-2 ran low on memory and the kubelet evicted pods, those using the most beyond their memory request first; container app was using 3842Mi against a request of 256Mi',
    );
    expect(findings[0]?.evidence[0]).toBe(`Pod image-resizer-7c9d-a status.message: ${MEMORY}`);
  });

  it('tell disk pressure and a pod past its own storage limit apart', () => {
    const limit = 'Pod ephemeral local storage usage exceeds the total limit of containers 1Gi. ';
    const pod = evicted('batch-1', limit);
    pod.metadata = { name: 'batch-1', namespace: NS };

    const rules = analyzeEvictions({
      ...emptySnapshot(),
      replicaSets: [replicaSet],
      pods: [evicted('image-resizer-7c9d-a', DISK), pod],
    }).map((f) => [f.rule, f.object.name]);

    expect(rules).toEqual([
      ['eviction/disk', 'image-resizer'],
      ['eviction/storage-limit', 'batch-1'],
    ]);
    expect(analyzeEvictions({ ...emptySnapshot(), pods: [pod] })[0]?.cause).toContain(
      'than its ephemeral-storage limit (1Gi) allows',
    );
  });

  it('say a preemption by the scheduler as info', () => {
    const pod: V1Pod = {
      metadata: { name: 'report-0', namespace: NS },
      spec: { nodeName: 'worker-1', containers: [{ name: 'report' }] },
      status: {
        phase: 'Running',
        conditions: [
          {
            type: 'DisruptionTarget',
            status: 'True',
            reason: 'PreemptionByScheduler',
            message: 'default-scheduler: preempting to accommodate a higher priority pod',
          },
        ],
      },
    };
    const preempted: CoreV1Event = {
      metadata: { name: 'report-0.1', namespace: NS },
      involvedObject: { kind: 'Pod', name: 'report-0', namespace: NS },
      reason: 'Preempted',
      message: 'Preempted by pod 5f0c0a1e-6a3b-4f57-9f0e-1d2c3b4a5e6f on node worker-1',
    };

    const [finding] = analyzeEvictions({ ...emptySnapshot(), pods: [pod], events: [preempted] });

    expect(finding).toMatchObject({ rule: 'eviction/preempted', severity: 'info' });
    expect(finding?.evidence).toContain(
      'event Preempted: Preempted by pod 5f0c0a1e-6a3b-4f57-9f0e-1d2c3b4a5e6f on node worker-1',
    );
  });

  it('find nothing in pods that ended by themselves', () => {
    const done: V1Pod = {
      metadata: { name: 'j-1', namespace: NS },
      status: { phase: 'Succeeded' },
    };

    expect(analyzeEvictions({ ...emptySnapshot(), pods: [done] })).toEqual([]);
  });

  it('say an eviction it cannot read as unsure rather than guess', () => {
    const [finding] = analyzeEvictions({ ...emptySnapshot(), pods: [evicted('x', '')] });

    expect(finding).toMatchObject({ rule: 'eviction/unknown', confidence: 'unsure' });
  });
});
