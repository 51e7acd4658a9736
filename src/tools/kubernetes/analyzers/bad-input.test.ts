import { describe, expect, it } from 'vitest';
import { emptySnapshot } from '../snapshot.ts';
import { analyze, type Snapshot } from './index.ts';

/** Objects as a broken or half-written cluster may return them: fields missing, null or odd. */
function junk(): Snapshot {
  const any = <T>(value: unknown) => value as T;
  return {
    ...emptySnapshot(),
    pods: any([
      {},
      { metadata: { name: 'p1' }, status: { phase: 'Pending' } },
      {
        metadata: { name: 'p2' },
        status: { phase: 'Pending', conditions: [{ type: 'PodScheduled', status: 'False' }] },
      },
      {
        metadata: { name: 'p3', namespace: 'x' },
        spec: {
          volumes: [{ name: 'v', persistentVolumeClaim: {} }],
          containers: [{ name: 'c', resources: { requests: { cpu: 'lots' } } }],
        },
        status: {
          phase: 'Pending',
          conditions: [
            {
              type: 'PodScheduled',
              status: 'False',
              message: '0/0 nodes are available: pod has unbound immediate PersistentVolumeClaims.',
            },
          ],
        },
      },
      {
        metadata: { name: 'p4' },
        status: {
          phase: 'Pending',
          conditions: [
            {
              type: 'PodScheduled',
              status: 'False',
              message: '0/2 nodes are available: 2 Insufficient nvidia.com/gpu.',
            },
          ],
        },
      },
      { metadata: { name: 'p5' }, status: { phase: 'Failed', reason: 'Evicted' } },
      {
        metadata: { name: 'p6', ownerReferences: [{ kind: 'ReplicaSet' }] },
        status: { conditions: [{ type: 'DisruptionTarget', status: 'True' }] },
      },
    ]),
    nodes: any([
      {},
      {
        metadata: { name: 'n1' },
        spec: { unschedulable: true, taints: [{}] },
        status: { conditions: [{ type: 'Ready' }], allocatable: { cpu: 'x' } },
      },
    ]),
    events: any([
      {},
      { reason: 'FailedCreate', message: 'exceeded quota: q' },
      { reason: 'FailedCreate', involvedObject: {} },
      { reason: 'TooManyMissedTimes', involvedObject: { kind: 'CronJob' } },
    ]),
    jobs: any([
      {},
      { metadata: { name: 'j' }, status: { conditions: [{ type: 'Failed', status: 'True' }] } },
    ]),
    cronJobs: any([
      {},
      { metadata: { name: 'c' }, spec: {} },
      {
        metadata: { name: 'd' },
        spec: { schedule: '*/5 * * * *' },
        status: { lastScheduleTime: 'not a date' },
      },
    ]),
    services: any([{}, { metadata: { name: 's' }, spec: { selector: { app: 'a' }, ports: [{}] } }]),
    endpointSlices: any([{}]),
    hpas: any([
      {},
      {
        metadata: { name: 'h' },
        status: { conditions: [{ type: 'ScalingActive', status: 'False' }] },
      },
      { spec: { maxReplicas: 2 }, status: { desiredReplicas: 5, currentReplicas: 2 } },
    ]),
    pdbs: any([
      {},
      { status: { disruptionsAllowed: 0, expectedPods: 2 } },
      { status: { disruptionsAllowed: 0, expectedPods: 2, currentHealthy: 1, desiredHealthy: 2 } },
    ]),
    deployments: any([
      {},
      {
        metadata: { name: 'd' },
        status: {
          conditions: [
            { type: 'Progressing', status: 'False', reason: 'ProgressDeadlineExceeded' },
          ],
        },
      },
    ]),
    replicaSets: any([
      {},
      { status: { conditions: [{ type: 'ReplicaFailure', status: 'True' }] } },
    ]),
    pvcs: any([{}]),
    storageClasses: any([{}]),
    resourceQuotas: any([{}]),
  };
}

describe('the analyzers on bad input', () => {
  it('return findings or nothing, never throw', () => {
    const findings = analyze(junk(), new Date('2026-12-07T10:00:00Z'));

    expect(Array.isArray(findings)).toBe(true);
    for (const finding of findings) {
      expect(finding.rule).toMatch(/^[a-z-]+\/[a-z-]+$|^[a-z-]+$/);
      expect(finding.cause.length).toBeGreaterThan(0);
      expect(finding.evidence.every((line) => typeof line === 'string')).toBe(true);
    }
  });

  it('say what they could not tell rather than invent a cause', () => {
    const findings = analyze(junk(), new Date('2026-12-07T10:00:00Z'));

    const p2 = findings.find((f) => f.object.name === 'p2');
    expect(p2).toMatchObject({ rule: 'pending/unschedulable', confidence: 'unsure' });
    const p4 = findings.find((f) => f.object.name === 'p4');
    expect(p4?.rule).toBe('pending/insufficient-resources');
  });

  it('find nothing at all in an empty snapshot', () => {
    expect(analyze(emptySnapshot())).toEqual([]);
  });
});
