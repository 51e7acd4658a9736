import type {
  CoreV1Event,
  V1ContainerStatus,
  V1Deployment,
  V1Node,
  V1Pod,
  V1ReplicaSet,
} from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { emptySnapshot } from '../snapshot.ts';
import { analyze, type Snapshot } from './index.ts';

const NS = 'payments';
const DEPLOY_UID = 'd-0001';

function pod(name: string, status: V1ContainerStatus, extra: Partial<V1Pod['status']> = {}): V1Pod {
  return {
    metadata: {
      name,
      namespace: NS,
      ownerReferences: [
        { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'payments-api-7d9f8b6c5d', uid: 'rs-7' },
      ],
    },
    spec: {
      containers: [
        {
          name: 'api',
          image: 'ghcr.io/acme/payments-api:v2.14.3',
          resources: { limits: { memory: '256Mi' }, requests: { memory: '128Mi' } },
        },
      ],
    },
    status: { phase: 'Running', containerStatuses: [status], ...extra },
  };
}

function container(partial: Partial<V1ContainerStatus>): V1ContainerStatus {
  return {
    name: 'api',
    image: 'ghcr.io/acme/payments-api:v2.14.3',
    imageID: '',
    ready: false,
    restartCount: 0,
    ...partial,
  };
}

function replicaSet(name: string, revision: number, image: string): V1ReplicaSet {
  return {
    metadata: {
      name,
      namespace: NS,
      annotations: { 'deployment.kubernetes.io/revision': String(revision) },
      ownerReferences: [
        { apiVersion: 'apps/v1', kind: 'Deployment', name: 'payments-api', uid: DEPLOY_UID },
      ],
    },
    spec: { selector: {}, template: { spec: { containers: [{ name: 'api', image }] } } },
    status: { replicas: 1, availableReplicas: revision === 7 ? 0 : 1 },
  };
}

function event(
  kind: string,
  name: string,
  reason: string,
  message: string,
  count = 1,
): CoreV1Event {
  return {
    metadata: { name: `${name}.${reason}`, namespace: NS },
    involvedObject: { kind, name, namespace: NS },
    reason,
    message,
    count,
    lastTimestamp: new Date('2026-11-21T09:40:00Z'),
  };
}

const empty: Snapshot = emptySnapshot();
const replicaSets = [
  replicaSet('payments-api-7d9f8b6c5d', 7, 'ghcr.io/acme/payments-api:v2.14.3'),
  replicaSet('payments-api-5c8d7f9b4a', 6, 'ghcr.io/acme/payments-api:v2.14.2'),
];

describe('analyze', () => {
  it('finds nothing wrong in a healthy namespace', () => {
    const healthy = pod(
      'payments-api-7d9f8b6c5d-x2k4q',
      container({ ready: true, state: { running: { startedAt: new Date() } } }),
    );

    expect(analyze({ ...empty, pods: [healthy], replicaSets })).toEqual([]);
  });

  it('sees an OOM crash loop and proposes a bigger memory limit on the deployment', () => {
    const oom = pod(
      'payments-api-7d9f8b6c5d-x2k4q',
      container({
        restartCount: 12,
        state: {
          waiting: {
            reason: 'CrashLoopBackOff',
            message: 'back-off 5m0s restarting failed container=api',
          },
        },
        lastState: {
          terminated: {
            reason: 'OOMKilled',
            exitCode: 137,
            finishedAt: new Date('2026-11-21T09:39:00Z'),
          },
        },
      }),
    );

    const [finding, ...rest] = analyze({
      ...empty,
      pods: [oom],
      replicaSets,
      events: [
        event(
          'Pod',
          'payments-api-7d9f8b6c5d-x2k4q',
          'BackOff',
          'Back-off restarting failed container api',
          57,
        ),
      ],
    });

    expect(rest).toEqual([]);
    expect(finding).toMatchObject({
      rule: 'oom-killed',
      severity: 'critical',
      object: { kind: 'Pod', namespace: NS, name: 'payments-api-7d9f8b6c5d-x2k4q' },
    });
    expect(finding?.evidence).toEqual([
      `Pod ${NS}/payments-api-7d9f8b6c5d-x2k4q status.containerStatuses[api].lastState.terminated: OOMKilled, exit code 137 at 2026-11-21T09:39:00.000Z`,
      `Pod ${NS}/payments-api-7d9f8b6c5d-x2k4q status.containerStatuses[api].restartCount: 12`,
      `Pod ${NS}/payments-api-7d9f8b6c5d-x2k4q spec.containers[api].resources: memory limit 256Mi, request 128Mi`,
      'event BackOff: Back-off restarting failed container api (x57)',
    ]);
    expect(finding?.action).toEqual({
      type: 'set-resources',
      target: { kind: 'Deployment', namespace: NS, name: 'payments-api' },
      container: 'api',
      resources: { limits: { memory: '384Mi' } },
      summary: 'raise the memory limit of api in deployment payments-api from 256Mi to 384Mi',
    });
  });

  it('reports a plain crash loop with its exit code and no action', () => {
    const crash = pod(
      'worker-1',
      container({
        restartCount: 4,
        state: { waiting: { reason: 'CrashLoopBackOff' } },
        lastState: { terminated: { reason: 'Error', exitCode: 1 } },
      }),
    );

    const [finding] = analyze({ ...empty, pods: [crash] });

    expect(finding).toMatchObject({
      rule: 'crash-loop',
      title: 'container api of pod worker-1 is crash looping (4 restarts)',
    });
    expect(finding?.evidence[0]).toBe(
      `Pod ${NS}/worker-1 status.containerStatuses[api].lastState.terminated: Error, exit code 1`,
    );
    expect(finding?.cause).toBe(
      'could not determine why container api of pod worker-1 exits (checked: exit code 1 (a generic error), logs not read, events)',
    );
    expect(finding?.action).toBeUndefined();
  });

  it('sees image pull errors with the registry message', () => {
    const pull = pod(
      'shop-web-1',
      container({
        image: 'ghcr.io/acme/shop-web:v9.9.9',
        state: {
          waiting: {
            reason: 'ImagePullBackOff',
            message: 'Back-off pulling image "ghcr.io/acme/shop-web:v9.9.9"',
          },
        },
      }),
    );

    const [finding] = analyze({ ...empty, pods: [pull] });

    expect(finding).toMatchObject({
      rule: 'image-pull',
      title: 'container api of pod shop-web-1 cannot pull its image ghcr.io/acme/shop-web:v9.9.9',
    });
    expect(finding?.evidence).toContain(
      `Pod ${NS}/shop-web-1 status.containerStatuses[api].state.waiting: ImagePullBackOff: Back-off pulling image "ghcr.io/acme/shop-web:v9.9.9"`,
    );
  });

  it("gives the scheduler's reason for a pending pod", () => {
    const pending: V1Pod = {
      metadata: { name: 'batch-0', namespace: NS },
      spec: { containers: [{ name: 'job' }] },
      status: {
        phase: 'Pending',
        conditions: [
          {
            type: 'PodScheduled',
            status: 'False',
            reason: 'Unschedulable',
            message: '0/3 nodes are available: 3 Insufficient memory.',
          },
        ],
      },
    };

    const [finding] = analyze({ ...empty, pods: [pending] });

    expect(finding).toMatchObject({ rule: 'pending/insufficient-resources', severity: 'warning' });
    expect(finding?.evidence[0]).toBe(
      'Pod payments/batch-0 status.conditions[PodScheduled]: Unschedulable: 0/3 nodes are available: 3 Insufficient memory.',
    );
  });

  it('names a missing ConfigMap', () => {
    const missing = pod(
      'api-2',
      container({
        state: {
          waiting: {
            reason: 'CreateContainerConfigError',
            message: 'configmap "payments-config" not found',
          },
        },
      }),
    );

    const [finding] = analyze({ ...empty, pods: [missing] });

    expect(finding).toMatchObject({
      rule: 'missing-reference/configmap',
      title: 'container api of pod api-2 refers to configmap payments-config, which does not exist',
    });
  });

  it('reports failing readiness from probe events', () => {
    const unready = pod(
      'api-3',
      container({
        ready: false,
        state: { running: { startedAt: new Date('2026-11-21T09:00:00Z') } },
      }),
    );

    const [finding] = analyze({
      ...empty,
      pods: [unready],
      events: [
        event(
          'Pod',
          'api-3',
          'Unhealthy',
          'Readiness probe failed: HTTP probe failed with statuscode: 503',
          30,
        ),
      ],
    });

    expect(finding).toMatchObject({ rule: 'readiness-failing/http-status', severity: 'warning' });
    expect(finding?.evidence).toContain(
      'event Unhealthy: Readiness probe failed: HTTP probe failed with statuscode: 503 (x30)',
    );
  });

  it('sees a failed rollout and proposes rolling back to the previous revision', () => {
    const deployment: V1Deployment = {
      metadata: {
        name: 'payments-api',
        namespace: NS,
        uid: DEPLOY_UID,
        annotations: { 'deployment.kubernetes.io/revision': '7' },
      },
      spec: { replicas: 3, selector: {}, template: {} },
      status: {
        updatedReplicas: 1,
        availableReplicas: 3,
        unavailableReplicas: 1,
        conditions: [
          {
            type: 'Progressing',
            status: 'False',
            reason: 'ProgressDeadlineExceeded',
            message: 'ReplicaSet "payments-api-7d9f8b6c5d" has timed out progressing.',
          },
        ],
      },
    };

    const [finding] = analyze({ ...empty, deployments: [deployment], replicaSets });

    expect(finding).toMatchObject({
      rule: 'rollout/progress-deadline',
      title: 'rollout of deployment payments-api failed at revision 7',
    });
    expect(finding?.evidence).toContain(
      'revision 6 (payments-api-5c8d7f9b4a): ghcr.io/acme/payments-api:v2.14.2, 1 available',
    );
    expect(finding?.action).toEqual({
      type: 'rollback',
      target: { kind: 'Deployment', namespace: NS, name: 'payments-api' },
      toRevision: 6,
      summary: 'roll back deployment payments-api from revision 7 to revision 6',
    });
  });

  it('sees NotReady nodes and memory pressure, most severe first', () => {
    const nodes: V1Node[] = [
      {
        metadata: { name: 'worker-1' },
        status: {
          conditions: [
            { type: 'Ready', status: 'True' },
            {
              type: 'MemoryPressure',
              status: 'True',
              message: 'kubelet has insufficient memory available',
            },
          ],
        },
      },
      {
        metadata: { name: 'worker-2' },
        status: {
          conditions: [
            {
              type: 'Ready',
              status: 'Unknown',
              reason: 'NodeStatusUnknown',
              message: 'Kubelet stopped posting node status.',
            },
          ],
        },
      },
    ];

    const findings = analyze({ ...empty, nodes });

    expect(findings.map((f) => [f.rule, f.object.name])).toEqual([
      ['node/kubelet-stopped-posting', 'worker-2'],
      ['node/memory-pressure', 'worker-1'],
    ]);
  });

  it('redacts credentials quoted in evidence', () => {
    const crash = pod(
      'api-4',
      container({
        restartCount: 2,
        state: {
          waiting: {
            reason: 'CrashLoopBackOff',
            message: 'failed: postgres://app:hunter2@db:5432/x refused',
          },
        },
      }),
    );

    const [finding] = analyze({ ...empty, pods: [crash] });

    expect(finding?.evidence.join('\n')).not.toContain('hunter2');
    expect(finding?.evidence.join('\n')).toContain('postgres://app:[redacted]@db:5432/x');
  });
});
