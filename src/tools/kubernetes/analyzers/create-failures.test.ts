import type { CoreV1Event, V1ReplicaSet, V1ResourceQuota } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { emptySnapshot } from '../snapshot.ts';
import { analyzeCreateFailures } from './create-failures.ts';

const NS = 'data-pipeline';
const REFUSAL =
  'pods "etl-worker-7d9f8-" is forbidden: exceeded quota: compute-resources, requested: requests.cpu=500m, used: requests.cpu=2, limited: requests.cpu=2';

const replicaSet: V1ReplicaSet = {
  metadata: {
    name: 'etl-worker-7d9f8',
    namespace: NS,
    ownerReferences: [
      {
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        name: 'etl-worker',
        uid: 'd-1',
        controller: true,
      },
    ],
  },
  status: {
    replicas: 4,
    conditions: [
      { type: 'ReplicaFailure', status: 'True', reason: 'FailedCreate', message: REFUSAL },
    ],
  },
};

const failedCreate = (kind: string, name: string, message: string): CoreV1Event => ({
  metadata: { name: `${name}.1`, namespace: NS },
  involvedObject: { kind, name, namespace: NS },
  reason: 'FailedCreate',
  message: `Error creating: ${message}`,
  type: 'Warning',
  count: 12,
});

const quota: V1ResourceQuota = {
  metadata: { name: 'compute-resources', namespace: NS },
  spec: { hard: { 'requests.cpu': '2', pods: '10' } },
  status: { hard: { 'requests.cpu': '2', pods: '10' }, used: { 'requests.cpu': '2', pods: '4' } },
};

describe('controllers that cannot create their pods', () => {
  it('name the quota that refuses a Deployment its pods, with the quota status', () => {
    const snapshot = {
      ...emptySnapshot(),
      replicaSets: [replicaSet],
      events: [failedCreate('ReplicaSet', 'etl-worker-7d9f8', REFUSAL)],
      resourceQuotas: [quota],
    };

    const [finding, ...rest] = analyzeCreateFailures(snapshot);

    expect(rest).toEqual([]);
    expect(finding).toMatchObject({
      rule: 'quota/exceeded',
      severity: 'critical',
      object: { kind: 'Deployment', namespace: NS, name: 'etl-worker' },
      confidence: 'certain',
    });
    expect(finding?.cause).toBe(
      'the ResourceQuota compute-resources refuses them: a new pod requests requests.cpu=500m, and requests.cpu=2 of the requests.cpu=2 it allows is already used',
    );
    expect(finding?.evidence).toContain(
      'ResourceQuota compute-resources status: requests.cpu 2/2, pods 4/10',
    );
  });

  it('say a quota that wants requests set, and any other refusal as it is', () => {
    const findings = analyzeCreateFailures({
      ...emptySnapshot(),
      events: [
        failedCreate(
          'Job',
          'nightly',
          'pods "nightly-abc" is forbidden: failed quota: compute-resources: must specify limits.memory for: job; requests.cpu for: job',
        ),
        failedCreate(
          'StatefulSet',
          'kafka',
          'pods "kafka-0" is forbidden: violates PodSecurity "restricted:latest": allowPrivilegeEscalation != false',
        ),
      ],
    });

    expect(findings.map((f) => [f.rule, f.object.kind, f.object.name])).toEqual([
      ['quota/requests-required', 'Job', 'nightly'],
      ['workload/create-failed', 'StatefulSet', 'kafka'],
    ]);
  });
});
