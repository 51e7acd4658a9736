import type {
  CoreV1Event,
  V1Node,
  V1PersistentVolumeClaim,
  V1Pod,
  V1StorageClass,
} from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { emptySnapshot } from '../snapshot.ts';
import { analyzePending } from './pending.ts';

const NS = 'shop';

function node(
  name: string,
  extra: { labels?: Record<string, string>; taints?: V1Node['spec'] } = {},
): V1Node {
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name, labels: { 'kubernetes.io/hostname': name, ...extra.labels } },
    spec: { ...extra.taints },
    status: {
      allocatable: { cpu: '4', memory: '16Gi', pods: '110', 'ephemeral-storage': '95Gi' },
      conditions: [{ type: 'Ready', status: 'True', reason: 'KubeletReady' }],
    },
  };
}

const controlPlane = node('cp-1', {
  labels: { 'node-role.kubernetes.io/control-plane': '' },
  taints: { taints: [{ key: 'node-role.kubernetes.io/control-plane', effect: 'NoSchedule' }] },
});

function pending(
  message: string,
  spec: Partial<V1Pod['spec']> = {},
  name = 'web-7d9f-abcde',
): V1Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: NS, labels: { app: 'web' } },
    spec: {
      containers: [
        {
          name: 'web',
          image: 'ghcr.io/acme/web:1.2.0',
          resources: { requests: { cpu: '3', memory: '1Gi' } },
        },
      ],
      ...spec,
    },
    status: {
      phase: 'Pending',
      qosClass: 'Burstable',
      conditions: [
        {
          type: 'PodScheduled',
          status: 'False',
          reason: 'Unschedulable',
          message,
          lastTransitionTime: new Date('2026-12-07T09:00:00Z'),
        },
      ],
    },
  };
}

function running(name: string, nodeName: string, cpu: string): V1Pod {
  return {
    metadata: { name, namespace: NS },
    spec: { nodeName, containers: [{ name: 'app', resources: { requests: { cpu } } }] },
    status: { phase: 'Running' },
  };
}

function event(kind: string, name: string, reason: string, message: string): CoreV1Event {
  return {
    metadata: { name: `${name}.1`, namespace: NS },
    involvedObject: { kind, name, namespace: NS },
    reason,
    message,
    type: 'Warning',
    lastTimestamp: new Date('2026-12-07T09:05:00Z'),
  };
}

describe('pending pods', () => {
  it('name the resource short, what the pod requests and the most a node has free', () => {
    const pod = pending(
      '0/3 nodes are available: 1 node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }, 2 Insufficient cpu. preemption: 0/3 nodes are available: 1 Preemption is not helpful for scheduling, 2 No preemption victims found for incoming pod.',
    );
    const snapshot = {
      ...emptySnapshot(),
      nodes: [controlPlane, node('worker-1'), node('worker-2')],
      pods: [pod, running('db-0', 'worker-1', '2500m'), running('cache-0', 'worker-2', '1500m')],
    };

    const [finding, ...rest] = analyzePending(snapshot);

    expect(rest).toEqual([]);
    expect(finding).toMatchObject({
      rule: 'pending/insufficient-resources',
      severity: 'warning',
      object: { kind: 'Pod', namespace: NS, name: 'web-7d9f-abcde' },
      confidence: 'certain',
    });
    expect(finding?.cause).toMatch(
      /^it requests 3 cpu and the most any node it may run on has free is 2500m \(node worker-2/,
    );
    expect(finding?.cause).toContain('1 node(s): node(s) had untolerated taint');
    expect(finding?.evidence).toContain(
      'Node worker-2 status.allocatable.cpu: 4, free after the pods read: 2500m',
    );
    expect(finding?.evidence[0]).toMatch(
      /^Pod shop\/web-7d9f-abcde status.conditions\[PodScheduled\]: Unschedulable: 0\/3/,
    );
  });

  it('name the taint the pod does not tolerate, with the nodes carrying it', () => {
    const tainted = node('gpu-1', {
      taints: { taints: [{ key: 'dedicated', value: 'gpu', effect: 'NoSchedule' }] },
    });
    const pod = pending(
      '0/2 nodes are available: 1 node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }, 1 node(s) had untolerated taint {dedicated: gpu}. preemption: 0/2 nodes are available: 2 Preemption is not helpful for scheduling.',
      {
        tolerations: [
          { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute' },
        ],
      },
    );

    const [finding] = analyzePending({
      ...emptySnapshot(),
      nodes: [controlPlane, tainted],
      pods: [pod],
    });

    expect(finding?.rule).toBe('pending/taints');
    expect(finding?.cause).toMatch(
      /^1 node\(s\) have the taint dedicated=gpu, which the pod does not tolerate/,
    );
    expect(finding?.evidence).toContain('Node gpu-1 spec.taints: dedicated=gpu:NoSchedule');
  });

  it('name the nodeSelector label no node has, and what the nodes have instead', () => {
    const pod = pending(
      "0/2 nodes are available: 2 node(s) didn't match Pod's node affinity/selector. preemption: 0/2 nodes are available: 2 Preemption is not helpful for scheduling.",
      { nodeSelector: { disktype: 'ssd' } },
    );
    const nodes = [node('worker-1', { labels: { disktype: 'hdd' } }), node('worker-2')];

    const [finding] = analyzePending({ ...emptySnapshot(), nodes, pods: [pod] });

    expect(finding).toMatchObject({ rule: 'pending/node-selector', confidence: 'certain' });
    expect(finding?.cause).toBe('no node has the label disktype=ssd its nodeSelector asks for');
    expect(finding?.evidence).toContain(
      'Node metadata.labels[disktype]: worker-1: hdd, worker-2: (absent)',
    );
  });

  it('name the required node affinity no node satisfies', () => {
    const pod = pending(
      "0/1 nodes are available: 1 node(s) didn't match Pod's node affinity/selector.",
      {
        affinity: {
          nodeAffinity: {
            requiredDuringSchedulingIgnoredDuringExecution: {
              nodeSelectorTerms: [
                {
                  matchExpressions: [
                    { key: 'topology.kubernetes.io/zone', operator: 'In', values: ['eu-west-1c'] },
                  ],
                },
              ],
            },
          },
        },
      },
    );
    const nodes = [node('worker-1', { labels: { 'topology.kubernetes.io/zone': 'eu-west-1a' } })];

    const [finding] = analyzePending({ ...emptySnapshot(), nodes, pods: [pod] });

    expect(finding?.cause).toBe(
      'no node satisfies its required node affinity (topology.kubernetes.io/zone In (eu-west-1c))',
    );
  });

  it('for a pod pinned to one node, give what keeps it off that node', () => {
    const pressured = node('worker-2', {
      taints: { taints: [{ key: 'node.kubernetes.io/memory-pressure', effect: 'NoSchedule' }] },
    });
    const pod = pending(
      "0/4 nodes are available: 2 node(s) didn't match Pod's node affinity/selector, 1 node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }, 1 node(s) had untolerated taint {node.kubernetes.io/memory-pressure: }. preemption: 0/4 nodes are available: 4 No preemption victims found for incoming pod.",
      { nodeSelector: { 'kubernetes.io/hostname': 'worker-2' } },
    );
    const nodes = [controlPlane, node('worker-1'), pressured, node('worker-3')];

    const [finding] = analyzePending({ ...emptySnapshot(), nodes, pods: [pod] });

    expect(finding?.rule).toBe('pending/taints');
    expect(finding?.cause).toMatch(
      /^its nodeSelector or node affinity allows only worker-2 \(the other 2 node\(s\) do not match\), and there: 1 node\(s\) have the taint node.kubernetes.io\/memory-pressure, which the pod does not tolerate \(Kubernetes sets it while the node is memory-pressure\)/,
    );
  });

  it('say when nodes run as many pods as they allow', () => {
    const small = node('edge-1');
    small.status = { ...small.status, allocatable: { ...small.status?.allocatable, pods: '2' } };
    const pod = pending(
      '0/1 nodes are available: 1 Too many pods. preemption: 0/1 nodes are available: 1 No preemption victims found for incoming pod.',
    );

    const [finding] = analyzePending({
      ...emptySnapshot(),
      nodes: [small],
      pods: [pod, running('a', 'edge-1', '10m'), running('b', 'edge-1', '10m')],
    });

    expect(finding?.rule).toBe('pending/too-many-pods');
    expect(finding?.evidence).toContain(
      'Node edge-1 status.allocatable.pods: 2, pods read on it: 2',
    );
  });

  it('wait on preemption when the scheduler has nominated a node', () => {
    const pod = pending(
      '0/1 nodes are available: 1 Insufficient memory. preemption: 0/1 nodes are available: 1 No preemption victims found for incoming pod.',
    );
    pod.status = { ...pod.status, nominatedNodeName: 'worker-1' };

    const [finding] = analyzePending({
      ...emptySnapshot(),
      nodes: [node('worker-1')],
      pods: [pod],
    });

    expect(finding).toMatchObject({ rule: 'pending/preempting', severity: 'info' });
    expect(finding?.evidence).toContain('Pod web-7d9f-abcde status.nominatedNodeName: worker-1');
  });

  it('say a replacement lost its room to preemption when a sibling was preempted', () => {
    const owner = {
      apiVersion: 'apps/v1',
      kind: 'ReplicaSet',
      name: 'scorer-6d8',
      uid: 'rs-9',
      controller: true,
    };
    const replacement = pending(
      '0/1 nodes are available: 1 Insufficient cpu. preemption: 0/1 nodes are available: 1 No preemption victims found for incoming pod.',
      {
        priorityClassName: 'low-priority',
      },
    );
    replacement.metadata = { ...replacement.metadata, ownerReferences: [owner] };
    const victim: V1Pod = {
      metadata: { name: 'scorer-6d8-old', namespace: NS, ownerReferences: [owner] },
      spec: { nodeName: 'worker-1', containers: [{ name: 'scorer' }] },
      status: {
        phase: 'Failed',
        conditions: [{ type: 'DisruptionTarget', status: 'True', reason: 'PreemptionByScheduler' }],
      },
    };

    const [finding] = analyzePending({
      ...emptySnapshot(),
      nodes: [node('worker-1')],
      pods: [replacement, victim],
    });

    expect(finding?.rule).toBe('pending/insufficient-resources');
    expect(finding?.cause).toMatch(
      /; pod scorer-6d8-old of the same workload was preempted by the scheduler for a pod of higher priority \(these run at priorityClassName low-priority\), and its replacement finds no room$/,
    );
  });

  it('name the topology spread constraint and the zone that holds the skew down, not rules the pod lacks', () => {
    const zone = (name: string, z: string, taints?: V1Node['spec']) =>
      node(name, { labels: { 'topology.kubernetes.io/zone': z }, ...(taints ? { taints } : {}) });
    const nodes = [
      zone('a-1', 'eu-west-1a'),
      zone('b-1', 'eu-west-1b'),
      zone('c-1', 'eu-west-1c', {
        taints: [{ key: 'dedicated', value: 'ingress', effect: 'NoSchedule' }],
      }),
    ];
    const replica = (name: string, nodeName: string): V1Pod => ({
      ...running(name, nodeName, '100m'),
      metadata: { name, namespace: NS, labels: { app: 'web' } },
    });
    const pod = pending(
      "0/3 nodes are available: 1 node(s) had untolerated taint {dedicated: ingress}, 2 node(s) didn't match pod topology spread constraints. preemption: 0/3 nodes are available: 3 No preemption victims found for incoming pod.",
      {
        topologySpreadConstraints: [
          {
            maxSkew: 1,
            topologyKey: 'topology.kubernetes.io/zone',
            whenUnsatisfiable: 'DoNotSchedule',
            labelSelector: { matchLabels: { app: 'web' } },
          },
        ],
      },
    );

    const [finding] = analyzePending({
      ...emptySnapshot(),
      nodes,
      pods: [pod, replica('web-1', 'a-1'), replica('web-2', 'b-1')],
    });

    expect(finding).toMatchObject({ rule: 'pending/topology-spread', confidence: 'certain' });
    expect(finding?.cause).toContain(
      'topology.kubernetes.io/zone with maxSkew 1, pods app=web; matching pods per topology.kubernetes.io/zone: eu-west-1a 1, eu-west-1b 1, eu-west-1c 0',
    );
    expect(finding?.cause).toContain(
      'eu-west-1c counts with 0 though its nodes have taints it does not tolerate (dedicated=ingress:NoSchedule)',
    );
    expect(finding?.cause).not.toMatch(/affinity/);

    // The scheduler speaks of existing pods' anti-affinity: their rules, not this pod's, keep it away.
    const [anti] = analyzePending({
      ...emptySnapshot(),
      nodes,
      pods: [
        pending(
          "0/3 nodes are available: 3 node(s) didn't satisfy existing pods anti-affinity rules.",
        ),
      ],
    });
    expect(anti?.rule).toBe('pending/pod-anti-affinity');
    expect(anti?.cause).not.toMatch(/spread|its pod affinity/);
    expect(anti?.cause).toContain('pods whose own anti-affinity rules keep this pod away');
  });

  it('say it could not determine why for a reason it does not know, and what it checked', () => {
    const pod = pending('0/2 nodes are available: 2 node(s) had a volume limit reached.');

    const [finding] = analyzePending({
      ...emptySnapshot(),
      nodes: [node('a'), node('b')],
      pods: [pod],
    });

    expect(finding).toMatchObject({ rule: 'pending/unschedulable', confidence: 'unsure' });
    expect(finding?.cause).toMatch(/^could not determine why no node takes it \(checked: /);
  });

  it('find nothing for a running pod, or a pending one the scheduler has placed', () => {
    const placed = pending('0/1 nodes are available: 1 Insufficient cpu.', {
      nodeName: 'worker-1',
    });

    expect(
      analyzePending({ ...emptySnapshot(), pods: [placed, running('a', 'worker-1', '1')] }),
    ).toEqual([]);
  });
});

describe('pending pods waiting for a claim', () => {
  const UNBOUND =
    '0/3 nodes are available: pod has unbound immediate PersistentVolumeClaims. preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling.';
  const withClaim = () =>
    pending(UNBOUND, {
      volumes: [{ name: 'data', persistentVolumeClaim: { claimName: 'ledger-data' } }],
    });
  const claim = (spec: V1PersistentVolumeClaim['spec']): V1PersistentVolumeClaim => ({
    apiVersion: 'v1',
    kind: 'PersistentVolumeClaim',
    metadata: { name: 'ledger-data', namespace: NS },
    spec: { resources: { requests: { storage: '20Gi' } }, ...spec },
    status: { phase: 'Pending' },
  });
  const storageClass = (name: string, provisioner: string, isDefault = false): V1StorageClass => ({
    metadata: {
      name,
      annotations: isDefault ? { 'storageclass.kubernetes.io/is-default-class': 'true' } : {},
    },
    provisioner,
    volumeBindingMode: 'Immediate',
  });

  it('say the claim names no class and the cluster has no default', () => {
    const [finding] = analyzePending({
      ...emptySnapshot(),
      pods: [withClaim()],
      pvcs: [claim({ accessModes: ['ReadWriteOnce'] })],
      storageClasses: [storageClass('fast', 'ebs.csi.aws.com')],
      events: [
        event(
          'PersistentVolumeClaim',
          'ledger-data',
          'FailedBinding',
          'no persistent volumes available for this claim and no storage class is set',
        ),
      ],
    });

    expect(finding).toMatchObject({ rule: 'pending/pvc-no-storage-class', confidence: 'certain' });
    expect(finding?.title).toBe(
      'pod web-7d9f-abcde is Pending: its volume claim ledger-data is not bound',
    );
    expect(finding?.evidence).toContain('StorageClasses: fast');
  });

  it('say the claim names a class that does not exist', () => {
    const [finding] = analyzePending({
      ...emptySnapshot(),
      pods: [withClaim()],
      pvcs: [claim({ storageClassName: 'premium-rwo', accessModes: ['ReadWriteOnce'] })],
      storageClasses: [storageClass('standard', 'pd.csi.storage.gke.io', true)],
    });

    expect(finding?.rule).toBe('pending/pvc-storage-class-missing');
    expect(finding?.cause).toContain('the StorageClass premium-rwo, which does not exist');
  });

  it('say ReadWriteMany cannot be had of a single-node provisioner, from its refusal', () => {
    const [finding] = analyzePending({
      ...emptySnapshot(),
      pods: [withClaim()],
      pvcs: [claim({ storageClassName: 'gp3', accessModes: ['ReadWriteMany'] })],
      storageClasses: [storageClass('gp3', 'ebs.csi.aws.com', true)],
      events: [
        event(
          'PersistentVolumeClaim',
          'ledger-data',
          'ProvisioningFailed',
          'failed to provision volume with StorageClass "gp3": rpc error: code = InvalidArgument desc = Volume capabilities MULTI_NODE_MULTI_WRITER not supported. Only AccessModes [ReadWriteOnce] supported.',
        ),
      ],
    });

    expect(finding).toMatchObject({ rule: 'pending/pvc-access-mode', confidence: 'certain' });
    expect(finding?.cause).toContain(
      'asks for ReadWriteMany, which the provisioner ebs.csi.aws.com cannot give',
    );
  });

  it('quote any other provisioning failure', () => {
    const [finding] = analyzePending({
      ...emptySnapshot(),
      pods: [withClaim()],
      pvcs: [claim({ storageClassName: 'standard', accessModes: ['ReadWriteOnce'] })],
      storageClasses: [storageClass('standard', 'pd.csi.storage.gke.io', true)],
      events: [
        event(
          'PersistentVolumeClaim',
          'ledger-data',
          'ProvisioningFailed',
          'failed to provision volume with StorageClass "standard": QUOTA_EXCEEDED: Quota SSD_TOTAL_GB exceeded',
        ),
      ],
    });

    expect(finding?.rule).toBe('pending/pvc-provisioning-failed');
    expect(finding?.cause).toContain('QUOTA_EXCEEDED');
  });

  it('say a claim that does not exist', () => {
    const pod = pending(
      '0/3 nodes are available: persistentvolumeclaim "ledger-data" not found. preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling.',
    );

    const [finding] = analyzePending({ ...emptySnapshot(), pods: [pod] });

    expect(finding).toMatchObject({ rule: 'pending/pvc-missing', confidence: 'certain' });
  });
});
