import { describe, expect, it } from 'vitest';
import { findResource, type ResourceType } from '../api/catalog.ts';
import { type KObject, ObjectStore } from '../api/store.ts';
import { ClusterMetrics } from './cluster-metrics.ts';

const type = (group: string, plural: string) => findResource(group, 'v1', plural) as ResourceType;
const PODS = type('', 'pods');
const NODES = type('', 'nodes');
const DEPLOYMENTS = type('apps', 'deployments');
const STATEFULSETS = type('apps', 'statefulsets');
const MI = 2 ** 20;

/** A store holding what `kubectl get` shows of a crash-looping payments deployment. */
function world(): { store: ObjectStore; pod: KObject; catchUps: number[] } {
  const store = new ObjectStore();
  store.create(NODES, {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name: 'worker' },
    spec: {},
    status: {
      conditions: [
        { type: 'MemoryPressure', status: 'True' },
        { type: 'Ready', status: 'Unknown' },
      ],
    },
  });
  store.create(DEPLOYMENTS, {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'payments-api', namespace: 'payments' },
    spec: { replicas: 2 },
    status: { replicas: 2, updatedReplicas: 2 },
  });
  store.create(STATEFULSETS, {
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: { name: 'db', namespace: 'payments' },
    spec: { replicas: 3 },
    status: { replicas: 3, readyReplicas: 2, updatedReplicas: 3 },
  });
  const pod = store.create(PODS, {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: 'payments-api-1',
      namespace: 'payments',
      ownerReferences: [
        {
          apiVersion: 'apps/v1',
          kind: 'ReplicaSet',
          name: 'payments-api-7d',
          uid: 'rs',
          controller: true,
        },
      ],
    },
    spec: {
      nodeName: 'worker',
      containers: [
        {
          name: 'api',
          image: 'payments:1.4',
          resources: { limits: { memory: '256Mi', cpu: '500m' }, requests: { cpu: '250m' } },
        },
      ],
    },
    status: {
      phase: 'Running',
      conditions: [{ type: 'Ready', status: 'False' }],
      containerStatuses: [
        {
          name: 'api',
          ready: false,
          restartCount: 7,
          state: { waiting: { reason: 'CrashLoopBackOff' } },
          lastState: { terminated: { reason: 'OOMKilled', exitCode: 137 } },
        },
      ],
    },
  });
  return { store, pod, catchUps: [] };
}

function metricsOf(w: ReturnType<typeof world>): ClusterMetrics {
  return new ClusterMetrics({
    store: w.store,
    catchUp: () => w.catchUps.push(1),
    usage: () => [],
  });
}

/** The samples of a family, as `labels -> value`. */
function samples(text: string, name: string): Map<string, number> {
  const found = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`)) continue;
    const space = line.lastIndexOf(' ');
    found.set(line.slice(name.length, space), Number(line.slice(space + 1)));
  }
  return found;
}

describe('the sandbox cluster as kube-state-metrics shows it', () => {
  it('writes every family once, with HELP and TYPE, and only well-formed samples', () => {
    const w = world();

    const text = metricsOf(w).render();

    const names: string[] = [];
    for (const line of text.trimEnd().split('\n')) {
      if (line.startsWith('# TYPE ')) names.push(line.split(' ')[2] ?? '');
      else if (!line.startsWith('# HELP '))
        expect(line).toMatch(/^[a-z_]+\{([a-z_]+="(?:[^"\\]|\\.)*",?)*\} -?[0-9.e+-]+$/);
    }
    expect(new Set(names).size).toBe(names.length);
    expect(names).toEqual(
      expect.arrayContaining([
        'kube_pod_container_status_restarts_total',
        'kube_pod_container_status_last_terminated_reason',
        'kube_pod_container_status_waiting_reason',
        'kube_pod_status_phase',
        'kube_deployment_status_replicas_available',
        'kube_deployment_spec_replicas',
        'kube_deployment_status_replicas_updated',
        'kube_statefulset_replicas',
        'kube_statefulset_status_replicas_ready',
        'kube_node_status_condition',
        'kube_pod_container_resource_limits',
        'container_memory_working_set_bytes',
        'container_cpu_usage_seconds_total',
      ]),
    );
    expect(text).toContain('# TYPE kube_pod_container_status_restarts_total counter');
    expect(w.catchUps).toHaveLength(1);
  });

  it("reports the pods' restarts, reasons, phase, owner and limits as their status says", () => {
    const w = world();
    const pod = `namespace="payments",pod="payments-api-1",uid="${w.pod.metadata.uid}"`;

    const text = metricsOf(w).render();

    expect(samples(text, 'kube_pod_container_status_restarts_total')).toEqual(
      new Map([[`{${pod},container="api"}`, 7]]),
    );
    expect(samples(text, 'kube_pod_container_status_waiting_reason')).toEqual(
      new Map([[`{${pod},container="api",reason="CrashLoopBackOff"}`, 1]]),
    );
    expect(samples(text, 'kube_pod_container_status_last_terminated_reason')).toEqual(
      new Map([[`{${pod},container="api",reason="OOMKilled"}`, 1]]),
    );
    expect([...samples(text, 'kube_pod_status_phase')].filter(([, v]) => v === 1)).toEqual([
      [`{${pod},phase="Running"}`, 1],
    ]);
    expect(samples(text, 'kube_pod_status_phase').size).toBe(5);
    expect(
      samples(text, 'kube_pod_owner').get(
        `{${pod},owner_kind="ReplicaSet",owner_name="payments-api-7d",owner_is_controller="true"}`,
      ),
    ).toBe(1);
    expect(samples(text, 'kube_pod_container_resource_limits')).toEqual(
      new Map([
        [`{${pod},container="api",node="worker",resource="cpu",unit="core"}`, 0.5],
        [`{${pod},container="api",node="worker",resource="memory",unit="byte"}`, 256 * MI],
      ]),
    );
  });

  it('reports workloads and node conditions, with 0 for replicas a status leaves out', () => {
    const w = world();

    const text = metricsOf(w).render();

    const deployment = '{namespace="payments",deployment="payments-api"}';
    expect(samples(text, 'kube_deployment_spec_replicas').get(deployment)).toBe(2);
    expect(samples(text, 'kube_deployment_status_replicas_available').get(deployment)).toBe(0);
    expect(samples(text, 'kube_deployment_status_replicas_updated').get(deployment)).toBe(2);
    const set = '{namespace="payments",statefulset="db"}';
    expect(samples(text, 'kube_statefulset_replicas').get(set)).toBe(3);
    expect(samples(text, 'kube_statefulset_status_replicas_ready').get(set)).toBe(2);
    const conditions = samples(text, 'kube_node_status_condition');
    expect(conditions.get('{node="worker",condition="MemoryPressure",status="true"}')).toBe(1);
    expect(conditions.get('{node="worker",condition="MemoryPressure",status="false"}')).toBe(0);
    expect(conditions.get('{node="worker",condition="Ready",status="unknown"}')).toBe(1);
    expect(conditions.get('{node="worker",condition="Ready",status="true"}')).toBe(0);
    expect(samples(text, 'kube_node_spec_unschedulable').get('{node="worker"}')).toBe(0);
  });

  it('follows the store from one scrape to the next', () => {
    const w = world();
    const metrics = metricsOf(w);
    metrics.render();
    const current = w.store.peek(PODS, 'payments', 'payments-api-1') as KObject;
    const status = current.status as { containerStatuses: { restartCount: number }[] };
    w.store.writeStatus(PODS, {
      ...current,
      status: {
        ...status,
        phase: 'Running',
        containerStatuses: [
          { ...status.containerStatuses[0], name: 'api', restartCount: 8, state: { running: {} } },
        ],
      },
    });

    const text = metrics.render();

    expect([...samples(text, 'kube_pod_container_status_restarts_total').values()]).toEqual([8]);
    expect(samples(text, 'kube_pod_container_status_waiting_reason').size).toBe(0);
    expect(w.catchUps).toHaveLength(2);
  });
});
