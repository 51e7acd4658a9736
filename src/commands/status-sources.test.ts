import { describe, expect, it } from 'vitest';
import { STATUS_SOURCES, type StatusSource } from './status-sources.ts';

const source = (name: StatusSource['name']) =>
  STATUS_SOURCES.find((s) => s.name === name) as StatusSource;

const pod = (overrides: { restartCount?: number; waiting?: string; heartbeat?: string } = {}) => ({
  metadata: {
    name: 'checkout-7d9f',
    namespace: 'payments',
    resourceVersion: String(Math.random()),
    annotations: { note: overrides.heartbeat ?? 'a' },
  },
  spec: { nodeName: 'node-a', containers: [{ name: 'app', image: 'checkout:1' }] },
  status: {
    phase: 'Running',
    conditions: [
      { type: 'Ready', status: 'True', lastTransitionTime: overrides.heartbeat ?? '2026-01-01' },
    ],
    containerStatuses: [
      {
        name: 'app',
        ready: overrides.waiting === undefined,
        restartCount: overrides.restartCount ?? 0,
        state:
          overrides.waiting === undefined
            ? { running: { startedAt: overrides.heartbeat ?? '2026-01-01' } }
            : { waiting: { reason: overrides.waiting, message: 'back-off 5m0s' } },
      },
    ],
  },
});

describe('the facts of an object the cluster health reads', () => {
  it('are equal for a pod that changed only in what the health does not read', () => {
    const facts = source('pods').facts;

    expect(facts(pod({ heartbeat: '2026-01-02' }))).toBe(facts(pod({ heartbeat: '2026-01-03' })));
  });

  it('differ for a pod that crashed, or restarted once more', () => {
    const facts = source('pods').facts;

    expect(facts(pod({ waiting: 'CrashLoopBackOff' }))).not.toBe(facts(pod()));
    expect(facts(pod({ restartCount: 4 }))).not.toBe(facts(pod({ restartCount: 3 })));
  });

  it('differ for a node that became unready or was cordoned, not for its heartbeat', () => {
    const facts = source('nodes').facts;
    const node = (ready: string, unschedulable: boolean, heartbeat: string) => ({
      metadata: { name: 'node-a' },
      spec: { unschedulable },
      status: {
        conditions: [{ type: 'Ready', status: ready, lastHeartbeatTime: heartbeat }],
        images: [{ names: [heartbeat] }],
      },
    });

    expect(facts(node('True', false, 't1'))).toBe(facts(node('True', false, 't2')));
    expect(facts(node('False', false, 't1'))).not.toBe(facts(node('True', false, 't1')));
    expect(facts(node('True', true, 't1'))).not.toBe(facts(node('True', false, 't1')));
  });

  it('differ for a node that came under disk pressure', () => {
    const facts = source('nodes').facts;
    const node = (disk: string) => ({
      metadata: { name: 'node-a' },
      status: {
        conditions: [
          { type: 'Ready', status: 'True' },
          {
            type: 'DiskPressure',
            status: disk,
            reason: `KubeletHas${disk === 'True' ? '' : 'No'}DiskPressure`,
          },
        ],
      },
    });

    expect(facts(node('True'))).not.toBe(facts(node('False')));
  });

  it('differ for a deployment scaled or whose rollout failed', () => {
    const facts = source('deployments').facts;
    const deployment = (replicas: number, reason = 'NewReplicaSetAvailable') => ({
      metadata: { name: 'checkout', namespace: 'payments', generation: replicas },
      spec: { replicas },
      status: {
        availableReplicas: 2,
        updatedReplicas: 2,
        conditions: [{ type: 'Progressing', status: 'True', reason }],
      },
    });

    expect(facts(deployment(3))).not.toBe(facts(deployment(2)));
    expect(facts(deployment(2, 'ProgressDeadlineExceeded'))).not.toBe(facts(deployment(2)));
  });

  it('do not depend on the order the server wrote the fields in', () => {
    const facts = source('deployments').facts;

    expect(
      facts({ status: { updatedReplicas: 1, availableReplicas: 1 }, metadata: { name: 'a' } }),
    ).toBe(
      facts({ metadata: { name: 'a' }, status: { availableReplicas: 1, updatedReplicas: 1 } }),
    );
  });
});
