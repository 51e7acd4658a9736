import type { KObject } from '../api/store.ts';
import { type Exposition, labelText, type MetricType } from './exposition.ts';
import { writeConditionStatus } from './pod-state-metrics.ts';

/**
 * kube-state-metrics' deployment, stateful set, daemon set and node families, read from the
 * objects' spec and status as the API serves them.
 */
type Fields = Record<string, unknown>;
type Family = {
  name: string;
  type?: MetricType;
  help: string;
  value: (object: Readonly<KObject>) => number | undefined;
};

const spec = (o: Readonly<KObject>) => (o.spec ?? {}) as Fields;
const status = (o: Readonly<KObject>) => (o.status ?? {}) as Fields;
const count = (value: unknown) => (typeof value === 'number' ? value : 0);

const DEPLOYMENT: Family[] = [
  {
    name: 'kube_deployment_spec_replicas',
    help: 'Number of desired pods for a deployment.',
    value: (d) => count(spec(d).replicas ?? 1),
  },
  {
    name: 'kube_deployment_status_replicas',
    help: 'The number of replicas per deployment.',
    value: (d) => count(status(d).replicas),
  },
  {
    name: 'kube_deployment_status_replicas_available',
    help: 'The number of available replicas per deployment.',
    value: (d) => count(status(d).availableReplicas),
  },
  {
    name: 'kube_deployment_status_replicas_updated',
    help: 'The number of updated replicas per deployment.',
    value: (d) => count(status(d).updatedReplicas),
  },
  {
    name: 'kube_deployment_status_observed_generation',
    help: 'The generation observed by the deployment controller.',
    value: (d) => count(status(d).observedGeneration),
  },
  {
    name: 'kube_deployment_metadata_generation',
    help: 'Sequence number representing a specific generation of the desired state.',
    value: (d) => count(d.metadata.generation),
  },
];

const STATEFULSET: Family[] = [
  {
    name: 'kube_statefulset_replicas',
    help: 'Number of desired pods for a StatefulSet.',
    value: (s) => count(spec(s).replicas ?? 1),
  },
  {
    name: 'kube_statefulset_status_replicas',
    help: 'The number of replicas per StatefulSet.',
    value: (s) => count(status(s).replicas),
  },
  {
    name: 'kube_statefulset_status_replicas_ready',
    help: 'The number of ready replicas per StatefulSet.',
    value: (s) => count(status(s).readyReplicas),
  },
  {
    name: 'kube_statefulset_status_replicas_updated',
    help: 'The number of updated replicas per StatefulSet.',
    value: (s) => count(status(s).updatedReplicas),
  },
];

const DAEMONSET: Family[] = [
  {
    name: 'kube_daemonset_status_desired_number_scheduled',
    help: 'The number of nodes that should be running the daemon pod.',
    value: (d) => count(status(d).desiredNumberScheduled),
  },
  {
    name: 'kube_daemonset_status_current_number_scheduled',
    help: 'The number of nodes running at least one daemon pod and are supposed to.',
    value: (d) => count(status(d).currentNumberScheduled),
  },
  {
    name: 'kube_daemonset_status_number_ready',
    help: 'The number of nodes that should be running the daemon pod and have one or more of the daemon pod running and ready.',
    value: (d) => count(status(d).numberReady),
  },
  {
    name: 'kube_daemonset_status_number_available',
    help: 'The number of nodes that should be running the daemon pod and have one or more of the daemon pod running and available',
    value: (d) => count(status(d).numberAvailable),
  },
];

function writeFamilies(
  out: Exposition,
  objects: readonly Readonly<KObject>[],
  label: string,
  families: Family[],
): void {
  for (const family of families) {
    out.family(family.name, family.type ?? 'gauge', family.help);
    for (const object of objects) {
      const value = family.value(object);
      if (value === undefined) continue;
      out.sample(
        { namespace: object.metadata.namespace ?? '', [label]: object.metadata.name },
        value,
      );
    }
  }
}

export function writeWorkloadMetrics(
  out: Exposition,
  workloads: {
    deployments: readonly Readonly<KObject>[];
    statefulsets: readonly Readonly<KObject>[];
    daemonsets: readonly Readonly<KObject>[];
  },
): void {
  writeFamilies(out, workloads.deployments, 'deployment', DEPLOYMENT);
  writeFamilies(out, workloads.statefulsets, 'statefulset', STATEFULSET);
  writeFamilies(out, workloads.daemonsets, 'daemonset', DAEMONSET);
}

export function writeNodeMetrics(out: Exposition, nodes: readonly Readonly<KObject>[]): void {
  out.family('kube_node_status_condition', 'gauge', 'The condition of a cluster node.');
  for (const node of nodes) {
    const conditions = (status(node).conditions ?? []) as { type: string; status: string }[];
    for (const c of conditions) {
      writeConditionStatus(
        out,
        labelText({ node: node.metadata.name, condition: c.type }),
        c.status,
        'status',
      );
    }
  }
  out.family('kube_node_spec_unschedulable', 'gauge', 'Whether a node can schedule new pods.');
  for (const node of nodes)
    out.sample({ node: node.metadata.name }, spec(node).unschedulable === true ? 1 : 0);
}
