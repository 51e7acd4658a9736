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
  core('ServiceAccount', 'serviceaccounts', true, ['sa'], ['token']),
  core('Endpoints', 'endpoints', true, ['ep']),
  core('PersistentVolumeClaim', 'persistentvolumeclaims', true, ['pvc'], ['status']),
  core('PersistentVolume', 'persistentvolumes', false, ['pv'], ['status']),
  core('ResourceQuota', 'resourcequotas', true, ['quota'], ['status']),
  core('LimitRange', 'limitranges', true, ['limits']),
  apps('Deployment', 'deployments', ['deploy'], ['scale', 'status']),
  apps('ReplicaSet', 'replicasets', ['rs'], ['scale', 'status']),
  apps('StatefulSet', 'statefulsets', ['sts'], ['scale', 'status']),
  apps('DaemonSet', 'daemonsets', ['ds'], ['status']),
  batch('Job', 'jobs', []),
  batch('CronJob', 'cronjobs', ['cj']),
  {
    group: 'batch',
    version: 'v1',
    kind: 'Job',
    plural: 'jobs',
    singular: 'job',
    namespaced: true,
    subresources: ['status'],
    categories: ['all'],
  },
  {
    group: 'batch',
    version: 'v1',
    kind: 'CronJob',
    plural: 'cronjobs',
    singular: 'cronjob',
    namespaced: true,
    shortNames: ['cj'],
    subresources: ['status'],
    categories: ['all'],
  },
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
    // The same objects as autoscaling/v2, converted (hpa-v1.ts); `kubectl autoscale` writes v1.
    group: 'autoscaling',
    version: 'v1',
    kind: 'HorizontalPodAutoscaler',
    plural: 'horizontalpodautoscalers',
    singular: 'horizontalpodautoscaler',
    namespaced: true,
    shortNames: ['hpa'],
    categories: ['all'],
  },
  {
    group: 'coordination.k8s.io',
    version: 'v1',
    kind: 'Lease',
    plural: 'leases',
    singular: 'lease',
    namespaced: true,
  },
  {
    group: 'discovery.k8s.io',
    version: 'v1',
    kind: 'EndpointSlice',
    plural: 'endpointslices',
    singular: 'endpointslice',
    namespaced: true,
  },
  {
    group: 'storage.k8s.io',
    version: 'v1',
    kind: 'StorageClass',
    plural: 'storageclasses',
    singular: 'storageclass',
    namespaced: false,
    shortNames: ['sc'],
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
  rbac('Role', 'roles', true),
  rbac('ClusterRole', 'clusterroles', false),
  rbac('RoleBinding', 'rolebindings', true),
  rbac('ClusterRoleBinding', 'clusterrolebindings', false),
  {
    group: 'networking.k8s.io',
    version: 'v1',
    kind: 'Ingress',
    plural: 'ingresses',
    singular: 'ingress',
    namespaced: true,
    shortNames: ['ing'],
    subresources: ['status'],
  },
  {
    group: 'networking.k8s.io',
    version: 'v1',
    kind: 'IngressClass',
    plural: 'ingressclasses',
    singular: 'ingressclass',
    namespaced: false,
  },
  {
    group: 'networking.k8s.io',
    version: 'v1',
    kind: 'NetworkPolicy',
    plural: 'networkpolicies',
    singular: 'networkpolicy',
    namespaced: true,
    shortNames: ['netpol'],
  },
  {
    group: 'scheduling.k8s.io',
    version: 'v1',
    kind: 'PriorityClass',
    plural: 'priorityclasses',
    singular: 'priorityclass',
    namespaced: false,
    shortNames: ['pc'],
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
  {
    group: 'authentication.k8s.io',
    version: 'v1',
    kind: 'SelfSubjectReview',
    plural: 'selfsubjectreviews',
    singular: '',
    namespaced: false,
    createOnly: true,
  },
  {
    group: 'authorization.k8s.io',
    version: 'v1',
    kind: 'SubjectAccessReview',
    plural: 'subjectaccessreviews',
    singular: '',
    namespaced: false,
    createOnly: true,
  },
  {
    group: 'authorization.k8s.io',
    version: 'v1',
    kind: 'LocalSubjectAccessReview',
    plural: 'localsubjectaccessreviews',
    singular: '',
    namespaced: true,
    createOnly: true,
  },
  {
    group: 'authorization.k8s.io',
    version: 'v1',
    kind: 'SelfSubjectRulesReview',
    plural: 'selfsubjectrulesreviews',
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

/**
 * The groups in the order discovery lists them, each with its versions, the preferred first;
 * the core group is served apart, at `/api`.
 */
export function groups(): { name: string; version: string; versions: string[] }[] {
  const seen = new Map<string, string[]>();
  for (const r of RESOURCES) {
    if (r.group === '') continue;
    const versions = seen.get(r.group) ?? [];
    if (!versions.includes(r.version)) versions.push(r.version);
    seen.set(r.group, versions);
  }
  return [...seen].map(([name, versions]) => ({
    name,
    version: versions[0] as string,
    versions,
  }));
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

function rbac(kind: string, plural: string, namespaced: boolean): ResourceType {
  return {
    group: 'rbac.authorization.k8s.io',
    version: 'v1',
    kind,
    plural,
    singular: kind.toLowerCase(),
    namespaced,
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

function batch(kind: string, plural: string, shortNames: string[]): ResourceType {
  return {
    group: 'batch',
    version: 'v1',
    kind,
    plural,
    singular: kind.toLowerCase(),
    namespaced: true,
    shortNames,
    subresources: ['status'],
    categories: ['all'],
  };
}
