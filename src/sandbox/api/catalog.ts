/**
 * The resources the sandbox serves, as discovery describes them. One entry per resource; the
 * API server, discovery documents and `kubectl` short names all come from this list.
 */
export type ResourceType = {
  group: string;
  version: string;
  kind: string;
  plural: string;
  singular: string;
  namespaced: boolean;
  shortNames?: string[];
  categories?: string[];
  subresources?: string[];
  /** Served for reads only (metrics). */
  readOnly?: boolean;
  /** Create-only review resources (access reviews): nothing is stored. */
  createOnly?: boolean;
  /** A custom resource: no strategic merge patches, as with a real CRD. */
  custom?: boolean;
};

const VERBS = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];

export const RESOURCES: readonly ResourceType[] = [
  core('Namespace', 'namespaces', false, ['ns']),
  core('Node', 'nodes', false, ['no'], ['status']),
  core('Pod', 'pods', true, ['po'], ['eviction', 'log', 'status'], ['all']),
  core('Event', 'events', true, ['ev']),
  core('Service', 'services', true, ['svc'], [], ['all']),
  core('ConfigMap', 'configmaps', true, ['cm']),
  core('Secret', 'secrets', true, []),
  core('ServiceAccount', 'serviceaccounts', true, ['sa']),
  apps('Deployment', 'deployments', ['deploy'], ['scale', 'status']),
  apps('ReplicaSet', 'replicasets', ['rs'], ['scale', 'status']),
  apps('StatefulSet', 'statefulsets', ['sts'], ['scale', 'status']),
  apps('DaemonSet', 'daemonsets', ['ds'], ['status']),
  {
    group: 'autoscaling',
    version: 'v2',
    kind: 'HorizontalPodAutoscaler',
    plural: 'horizontalpodautoscalers',
    singular: 'horizontalpodautoscaler',
    namespaced: true,
    shortNames: ['hpa'],
    categories: ['all'],
  },
  {
    group: 'policy',
    version: 'v1',
    kind: 'PodDisruptionBudget',
    plural: 'poddisruptionbudgets',
    singular: 'poddisruptionbudget',
    namespaced: true,
    shortNames: ['pdb'],
    subresources: ['status'],
  },
  {
    group: 'argoproj.io',
    version: 'v1alpha1',
    kind: 'Application',
    plural: 'applications',
    singular: 'application',
    namespaced: true,
    shortNames: ['app', 'apps'],
    custom: true,
  },
  {
    group: 'metrics.k8s.io',
    version: 'v1beta1',
    kind: 'PodMetrics',
    plural: 'pods',
    singular: '',
    namespaced: true,
    readOnly: true,
  },
  {
    group: 'metrics.k8s.io',
    version: 'v1beta1',
    kind: 'NodeMetrics',
    plural: 'nodes',
    singular: '',
    namespaced: false,
    readOnly: true,
  },
  {
    group: 'authorization.k8s.io',
    version: 'v1',
    kind: 'SelfSubjectAccessReview',
    plural: 'selfsubjectaccessreviews',
    singular: '',
    namespaced: false,
    createOnly: true,
  },
];

export function verbsOf(type: ResourceType): string[] {
  if (type.readOnly === true) return ['get', 'list'];
  if (type.createOnly === true) return ['create'];
  return VERBS;
}

export function apiVersionOf(type: ResourceType): string {
  return type.group === '' ? type.version : `${type.group}/${type.version}`;
}

export function findResource(group: string, version: string, plural: string) {
  return RESOURCES.find((r) => r.group === group && r.version === version && r.plural === plural);
}

export function findKind(apiVersion: string, kind: string) {
  return RESOURCES.find((r) => apiVersionOf(r) === apiVersion && r.kind === kind);
}

/** The groups in the order discovery lists them; the core group is served apart, at `/api`. */
export function groups(): { name: string; version: string }[] {
  const seen = new Map<string, string>();
  for (const r of RESOURCES) if (r.group !== '' && !seen.has(r.group)) seen.set(r.group, r.version);
  return [...seen].map(([name, version]) => ({ name, version }));
}

function core(
  kind: string,
  plural: string,
  namespaced: boolean,
  shortNames: string[],
  subresources: string[] = [],
  categories: string[] = [],
): ResourceType {
  return {
    group: '',
    version: 'v1',
    kind,
    plural,
    singular: kind.toLowerCase(),
    namespaced,
    shortNames,
    subresources,
    categories,
  };
}

function apps(
  kind: string,
  plural: string,
  shortNames: string[],
  subresources: string[],
): ResourceType {
  return {
    group: 'apps',
    version: 'v1',
    kind,
    plural,
    singular: kind.toLowerCase(),
    namespaced: true,
    shortNames,
    subresources,
    categories: ['all'],
  };
}
