import type { V1Node, V1NodeCondition, V1Pod } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { emptySnapshot } from '../snapshot.ts';
import { analyzeNodes } from './nodes.ts';

const NOW = new Date('2026-12-07T10:00:00Z');
const healthyConditions: V1NodeCondition[] = [
  { type: 'MemoryPressure', status: 'False', reason: 'KubeletHasSufficientMemory' },
  { type: 'DiskPressure', status: 'False', reason: 'KubeletHasNoDiskPressure' },
  { type: 'PIDPressure', status: 'False', reason: 'KubeletHasSufficientPID' },
  {
    type: 'Ready',
    status: 'True',
    reason: 'KubeletReady',
    message: 'kubelet is posting ready status',
  },
];

function node(
  name: string,
  conditions: V1NodeCondition[] = healthyConditions,
  spec: V1Node['spec'] = {},
): V1Node {
  return { apiVersion: 'v1', kind: 'Node', metadata: { name }, spec, status: { conditions } };
}

const replace = (type: string, condition: Partial<V1NodeCondition>): V1NodeCondition[] =>
  healthyConditions.map((c) => (c.type === type ? { ...c, ...condition } : c));

describe('nodes', () => {
  it('find nothing on healthy nodes', () => {
    expect(analyzeNodes({ ...emptySnapshot(), nodes: [node('a'), node('b')] }, NOW)).toEqual([]);
  });

  it('say a kubelet that stopped posting, with how long ago it last did', () => {
    const silent = node(
      'worker-4',
      replace('Ready', {
        status: 'Unknown',
        reason: 'NodeStatusUnknown',
        message: 'Kubelet stopped posting node status.',
        lastHeartbeatTime: new Date('2026-12-07T09:48:00Z'),
        lastTransitionTime: new Date('2026-12-07T09:49:00Z'),
      }),
    );

    const [finding] = analyzeNodes({ ...emptySnapshot(), nodes: [silent] }, NOW);

    expect(finding).toMatchObject({
      rule: 'node/kubelet-stopped-posting',
      severity: 'critical',
      title: 'node worker-4 is NotReady',
    });
    expect(finding?.cause).toBe(
      'its kubelet stopped posting node status 12 min ago: the machine is down, unreachable, or its kubelet has stopped',
    );
    expect(finding?.evidence).toContain(
      'Node worker-4 status.conditions[Ready].lastHeartbeatTime: 2026-12-07T09:48:00.000Z (12 min before this reading)',
    );
  });

  it('say a NotReady node whose network plugin is not ready', () => {
    const cni = node(
      'worker-5',
      replace('Ready', {
        status: 'False',
        reason: 'KubeletNotReady',
        message:
          'container runtime network not ready: NetworkReady=false reason:NetworkPluginNotReady message:Network plugin returns error: cni plugin not initialized',
      }),
    );

    const [finding] = analyzeNodes({ ...emptySnapshot(), nodes: [cni] }, NOW);

    expect(finding?.rule).toBe('node/not-ready');
    expect(finding?.cause).toMatch(/^the container network \(CNI plugin\) is not ready: /);
  });

  it('name each pressure by its own rule', () => {
    const disk = node(
      'worker-1',
      replace('DiskPressure', {
        status: 'True',
        reason: 'KubeletHasDiskPressure',
        message: 'kubelet has disk pressure',
      }),
    );
    const pid = node(
      'worker-2',
      replace('PIDPressure', {
        status: 'True',
        reason: 'KubeletHasInsufficientPID',
        message: 'kubelet has insufficient PID available',
      }),
    );

    const findings = analyzeNodes({ ...emptySnapshot(), nodes: [disk, pid] }, NOW);

    expect(findings.map((f) => [f.rule, f.severity, f.title])).toEqual([
      ['node/disk-pressure', 'warning', 'node worker-1 has DiskPressure'],
      ['node/pid-pressure', 'warning', 'node worker-2 has PIDPressure'],
    ]);
  });

  it('say a cordoned node as info, and as a warning when pods wait partly because of it', () => {
    const spec = {
      unschedulable: true,
      taints: [{ key: 'node.kubernetes.io/unschedulable', effect: 'NoSchedule' }],
    };
    const waiting: V1Pod = {
      metadata: { name: 'web-1', namespace: 'shop' },
      status: {
        phase: 'Pending',
        conditions: [
          {
            type: 'PodScheduled',
            status: 'False',
            reason: 'Unschedulable',
            message:
              '0/2 nodes are available: 1 Insufficient cpu, 1 node(s) were unschedulable. preemption: 0/2 nodes are available: 2 No preemption victims found for incoming pod.',
          },
        ],
      },
    };

    const [quiet] = analyzeNodes(
      { ...emptySnapshot(), nodes: [node('worker-3', healthyConditions, spec)] },
      NOW,
    );
    const [blocking] = analyzeNodes(
      { ...emptySnapshot(), nodes: [node('worker-3', healthyConditions, spec)], pods: [waiting] },
      NOW,
    );

    expect(quiet).toMatchObject({ rule: 'node/cordoned', severity: 'info' });
    expect(blocking).toMatchObject({ rule: 'node/cordoned', severity: 'warning' });
    expect(blocking?.cause).toContain('1 pod waits for a node, in part because of it');
  });
});
