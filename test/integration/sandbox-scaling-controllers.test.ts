import { describe, expect, it } from 'vitest';
import type { KObject } from '../../src/sandbox/api/store.ts';
import { ImageBehaviour } from '../../src/sandbox/scenario.ts';
import { type Any, type SimulatedCluster, simulatedCluster } from '../support/simulated-cluster.ts';

/**
 * The sandbox's StatefulSet, DaemonSet and autoscaler controllers, driven through simulated
 * time, with the pods, statuses, conditions and events a real cluster gives.
 */

const status = (object: KObject): Any => object.status ?? {};

const podsOf = (cluster: SimulatedCluster, owner: KObject) =>
  cluster
    .list('', 'v1', 'pods', owner.metadata.namespace)
    .filter((p) => p.metadata.ownerReferences?.some((o) => o.uid === owner.metadata.uid));

const statefulSet = (name: string, replicas: number, spec: Record<string, unknown> = {}) => ({
  apiVersion: 'apps/v1',
  kind: 'StatefulSet',
  metadata: { name, namespace: 'default' },
  spec: {
    replicas,
    serviceName: name,
    selector: { matchLabels: { app: name } },
    ...spec,
    template: {
      metadata: { labels: { app: name } },
      spec: {
        containers: [
          { name: 'db', image: 'postgres:16', readinessProbe: { exec: { command: ['true'] } } },
        ],
      },
    },
  },
});

const live = (pods: KObject[]) => pods.filter((p) => p.metadata.deletionTimestamp === undefined);

describe('StatefulSets', () => {
  it('make pods <name>-0..n-1 in order, each once the one before is Ready', () => {
    const cluster = simulatedCluster();
    const set = cluster.apply(statefulSet('db', 3));

    const seen: string[][] = [];
    for (let i = 0; i < 6; i++) {
      seen.push(live(podsOf(cluster, set)).map((p) => p.metadata.name));
      cluster.advance(1);
    }
    cluster.advance(60);

    expect(seen[0]).toEqual(['db-0']);
    expect(seen.some((names) => names.length === 2 && names.includes('db-1'))).toBe(true);
    const pods = live(podsOf(cluster, set));
    expect(pods.map((p) => p.metadata.name)).toEqual(['db-0', 'db-1', 'db-2']);
    const hash = pods[0]?.metadata.labels?.['controller-revision-hash'];
    expect(hash).toMatch(/^db-[a-z0-9]{10}$/);
    for (const p of pods) {
      expect(p.metadata.labels?.['statefulset.kubernetes.io/pod-name']).toBe(p.metadata.name);
      expect(p.metadata.labels?.['controller-revision-hash']).toBe(hash);
    }
    const after = cluster.get('apps/v1', 'StatefulSet', 'default', 'db');
    expect(status(after)).toMatchObject({
      replicas: 3,
      readyReplicas: 3,
      currentReplicas: 3,
      updatedReplicas: 3,
      availableReplicas: 3,
      currentRevision: hash,
      updateRevision: hash,
    });
    expect(cluster.events(after)).toContain(
      'SuccessfulCreate: create Pod db-0 in StatefulSet db successful',
    );
  });

  it('make all pods at once with Parallel, and scale down from the highest ordinal', () => {
    const cluster = simulatedCluster();
    const set = cluster.apply(statefulSet('cache', 3, { podManagementPolicy: 'Parallel' }));
    const first = live(podsOf(cluster, set)).map((p) => p.metadata.name);
    cluster.advance(30);
    const ordered = cluster.apply(statefulSet('queue', 3));
    cluster.advance(60);

    cluster.update(ordered, { replicas: 1 });
    cluster.advance(1);
    const shrinking = live(podsOf(cluster, ordered)).map((p) => p.metadata.name);
    cluster.advance(60);

    expect(first).toEqual(['cache-0', 'cache-1', 'cache-2']);
    expect(shrinking).toEqual(['queue-0', 'queue-1']);
    expect(podsOf(cluster, ordered).map((p) => p.metadata.name)).toEqual(['queue-0']);
    expect(status(cluster.get('apps/v1', 'StatefulSet', 'default', 'queue')).replicas).toBe(1);
  });
});

const daemonSet = (name: string, spec: Record<string, unknown> = {}) => ({
  apiVersion: 'apps/v1',
  kind: 'DaemonSet',
  metadata: { name, namespace: 'kube-system' },
  spec: {
    selector: { matchLabels: { app: name } },
    template: {
      metadata: { labels: { app: name } },
      spec: { containers: [{ name: 'agent', image: 'fluent/fluent-bit:3.1' }], ...spec },
    },
  },
});

describe('DaemonSets', () => {
  it('run one pod per schedulable node, skipping the tainted control plane unless tolerated', () => {
    const cluster = simulatedCluster();
    const workers = cluster.apply(daemonSet('logs'));
    const everywhere = cluster.apply(
      daemonSet('node-exporter', { tolerations: [{ operator: 'Exists' }] }),
    );
    const picky = cluster.apply(
      daemonSet('gpu', { nodeSelector: { 'kubernetes.io/hostname': 'sandbox-worker2' } }),
    );

    cluster.advance(60);

    const nodesOf = (set: KObject) =>
      podsOf(cluster, set)
        .map((p) => (p.spec as Any).nodeName)
        .sort();
    expect(nodesOf(workers)).toEqual(['sandbox-worker', 'sandbox-worker2', 'sandbox-worker3']);
    expect(nodesOf(everywhere)).toHaveLength(4);
    expect(nodesOf(picky)).toEqual(['sandbox-worker2']);
    expect(status(cluster.get('apps/v1', 'DaemonSet', 'kube-system', 'logs'))).toMatchObject({
      desiredNumberScheduled: 3,
      currentNumberScheduled: 3,
      numberReady: 3,
      numberAvailable: 3,
      updatedNumberScheduled: 3,
      numberMisscheduled: 0,
    });
  });

  it('give a new node its pod', () => {
    const cluster = simulatedCluster();
    const set = cluster.apply(daemonSet('logs'));
    cluster.advance(30);
    const worker = cluster.get('v1', 'Node', undefined, 'sandbox-worker');

    cluster.apply({
      apiVersion: 'v1',
      kind: 'Node',
      metadata: {
        name: 'sandbox-worker4',
        labels: { 'kubernetes.io/hostname': 'sandbox-worker4' },
      },
      status: { ...(worker.status as object), conditions: undefined },
    });
    cluster.advance(30);

    const nodes = podsOf(cluster, set).map((p) => (p.spec as Any).nodeName);
    expect(nodes).toContain('sandbox-worker4');
    expect(status(cluster.get('apps/v1', 'DaemonSet', 'kube-system', 'logs')).numberReady).toBe(4);
  });
});

const deployment = (
  name: string,
  replicas: number,
  image: string,
  requests?: Record<string, string>,
) => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name, namespace: 'default' },
  spec: {
    replicas,
    selector: { matchLabels: { app: name } },
    template: {
      metadata: { labels: { app: name } },
      spec: {
        containers: [
          { name: 'app', image, ...(requests === undefined ? {} : { resources: { requests } }) },
        ],
      },
    },
  },
});

const hpa = (
  name: string,
  min: number,
  max: number,
  target: Record<string, unknown>,
  resource = 'cpu',
) => ({
  apiVersion: 'autoscaling/v2',
  kind: 'HorizontalPodAutoscaler',
  metadata: { name, namespace: 'default' },
  spec: {
    scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name },
    minReplicas: min,
    maxReplicas: max,
    metrics: [{ type: 'Resource', resource: { name: resource, target } }],
  },
});

const conditionsOf = (object: KObject) =>
  Object.fromEntries(
    (status(object).conditions ?? []).map((c: Any) => [
      c.type,
      `${c.status} ${c.reason}: ${c.message}`,
    ]),
  );

describe('HorizontalPodAutoscalers', () => {
  const busy = () => {
    const cluster = simulatedCluster();
    cluster.simulator.addImages({
      'example/busy:1.0': ImageBehaviour.parse({ cpu: '200m', memory: '64Mi' }),
    });
    return cluster;
  };

  it('scale up by the usage ratio against requests, clamped to maxReplicas', () => {
    const cluster = busy();
    cluster.apply(deployment('api', 2, 'example/busy:1.0', { cpu: '100m' }));
    cluster.advance(30);
    cluster.apply(hpa('api', 1, 5, { type: 'Utilization', averageUtilization: 50 }));

    cluster.advance(60);

    const scaled = cluster.get('apps/v1', 'Deployment', 'default', 'api');
    expect((scaled.spec as Any).replicas).toBe(5);
    const autoscaler = cluster.get('autoscaling/v2', 'HorizontalPodAutoscaler', 'default', 'api');
    expect(status(autoscaler).currentMetrics).toEqual([
      {
        type: 'Resource',
        resource: { name: 'cpu', current: { averageUtilization: 200, averageValue: '200m' } },
      },
    ]);
    expect(status(autoscaler).desiredReplicas).toBe(5);
    expect(status(autoscaler).lastScaleTime).toBeDefined();
    expect(conditionsOf(autoscaler)).toMatchObject({
      ScalingActive:
        'True ValidMetricFound: the HPA was able to successfully calculate a replica count from cpu resource utilization (percentage of request)',
      ScalingLimited:
        'True TooManyReplicas: the desired replica count is more than the maximum replica count',
    });
    expect(cluster.events(autoscaler)).toContain(
      'SuccessfulRescale: New size: 5; reason: cpu resource utilization (percentage of request) above target',
    );
  });

  it('scale on an AverageValue memory target', () => {
    const cluster = busy();
    cluster.apply(deployment('mem', 1, 'example/busy:1.0', { cpu: '100m' }));
    cluster.advance(30);
    cluster.apply(hpa('mem', 1, 10, { type: 'AverageValue', averageValue: '32Mi' }, 'memory'));

    cluster.advance(20);

    // Each pod keeps its 64Mi however many there are, so the count doubles at each sync.
    const autoscaler = cluster.get('autoscaling/v2', 'HorizontalPodAutoscaler', 'default', 'mem');
    expect(cluster.events(autoscaler).slice(0, 2)).toEqual([
      'SuccessfulRescale: New size: 2; reason: memory resource above target',
      'SuccessfulRescale: New size: 4; reason: memory resource above target',
    ]);
    expect(status(autoscaler).currentMetrics[0].resource.current).toEqual({ averageValue: '64Mi' });
  });

  it('report FailedGetResourceMetric when the pods have no cpu request', () => {
    const cluster = simulatedCluster();
    cluster.apply(deployment('bare', 1, 'nginx:1.27'));
    cluster.advance(30);
    cluster.apply(hpa('bare', 1, 5, { type: 'Utilization', averageUtilization: 50 }));

    cluster.advance(20);

    const [pod] = cluster
      .list('', 'v1', 'pods', 'default')
      .filter((p) => p.metadata.labels?.app === 'bare');
    const autoscaler = cluster.get('autoscaling/v2', 'HorizontalPodAutoscaler', 'default', 'bare');
    expect(conditionsOf(autoscaler).ScalingActive).toBe(
      `False FailedGetResourceMetric: the HPA was unable to compute the replica count: failed to get cpu utilization: missing request for cpu in container app of Pod ${pod?.metadata.name}`,
    );
    expect((cluster.get('apps/v1', 'Deployment', 'default', 'bare').spec as Any).replicas).toBe(1);
  });

  it('scale down only after the 300 s stabilization window', () => {
    const cluster = simulatedCluster();
    cluster.apply(deployment('idle', 4, 'nginx:1.27', { cpu: '100m' }));
    cluster.advance(30);
    cluster.apply(hpa('idle', 1, 10, { type: 'Utilization', averageUtilization: 50 }));

    cluster.advance(120);
    const held = cluster.get('autoscaling/v2', 'HorizontalPodAutoscaler', 'default', 'idle');
    const replicasHeld = (cluster.get('apps/v1', 'Deployment', 'default', 'idle').spec as Any)
      .replicas;
    cluster.advance(200);

    expect(replicasHeld).toBe(4);
    expect(conditionsOf(held).AbleToScale).toBe(
      'True ScaleDownStabilized: recent recommendations were higher than current one, applying the highest recent recommendation',
    );
    expect((cluster.get('apps/v1', 'Deployment', 'default', 'idle').spec as Any).replicas).toBe(1);
    const after = cluster.get('autoscaling/v2', 'HorizontalPodAutoscaler', 'default', 'idle');
    expect(cluster.events(after)).toContain(
      'SuccessfulRescale: New size: 1; reason: All metrics below target',
    );
  });
});
