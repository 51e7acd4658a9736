/**
 * The resources the fixture cluster serves, as the API server names them: the group version
 * they live under, their plural, and whether they belong to a namespace.
 */
export type Resource = {
  kind: string;
  plural: string;
  groupVersion: string;
  namespaced: boolean;
};

const table: [string, string, string, boolean][] = [
  ['Pod', 'pods', 'v1', true],
  ['Event', 'events', 'v1', true],
  ['Node', 'nodes', 'v1', false],
  ['Namespace', 'namespaces', 'v1', false],
  ['Service', 'services', 'v1', true],
  ['ConfigMap', 'configmaps', 'v1', true],
  ['PersistentVolumeClaim', 'persistentvolumeclaims', 'v1', true],
  ['PersistentVolume', 'persistentvolumes', 'v1', false],
  ['ResourceQuota', 'resourcequotas', 'v1', true],
  ['LimitRange', 'limitranges', 'v1', true],
  ['Deployment', 'deployments', 'apps/v1', true],
  ['ReplicaSet', 'replicasets', 'apps/v1', true],
  ['StatefulSet', 'statefulsets', 'apps/v1', true],
  ['DaemonSet', 'daemonsets', 'apps/v1', true],
  ['Job', 'jobs', 'batch/v1', true],
  ['CronJob', 'cronjobs', 'batch/v1', true],
  ['HorizontalPodAutoscaler', 'horizontalpodautoscalers', 'autoscaling/v2', true],
  ['PodDisruptionBudget', 'poddisruptionbudgets', 'policy/v1', true],
  ['StorageClass', 'storageclasses', 'storage.k8s.io/v1', false],
  ['EndpointSlice', 'endpointslices', 'discovery.k8s.io/v1', true],
  ['Application', 'applications', 'argoproj.io/v1alpha1', true],
];

export const RESOURCES: readonly Resource[] = table.map(([kind, plural, groupVersion, ns]) => ({
  kind,
  plural,
  groupVersion,
  namespaced: ns,
}));

export function resourceOf(groupVersion: string, plural: string): Resource | undefined {
  return RESOURCES.find((r) => r.groupVersion === groupVersion && r.plural === plural);
}

export function resourceOfKind(kind: string): Resource | undefined {
  return RESOURCES.find((r) => r.kind === kind);
}
