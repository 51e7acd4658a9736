import { z } from 'zod';
import { CoxswainError } from '../../errors.ts';
import type { Cluster } from '../kubernetes/cluster.ts';

/**
 * Where a manifest's object lives in the API: its resource name and whether it is namespaced,
 * as the API server's discovery says (the client asks once per apiVersion and keeps the answer);
 * when discovery cannot say (the group is not served, the server is unreachable), from the kind
 * as Kubernetes names resources, with the irregular ones the apps Argo CD deploys use.
 */
export type ResourceType = { name: string; namespaced: boolean };

/** Kinds whose resource name is not the regular plural of the kind. */
const IRREGULAR: Readonly<Record<string, string>> = {
  Endpoints: 'endpoints',
  SecurityContextConstraints: 'securitycontextconstraints',
  PodMetrics: 'pods',
  NodeMetrics: 'nodes',
};

/** Kinds that live outside namespaces, when discovery cannot say. */
export const CLUSTER_SCOPED: ReadonlySet<string> = new Set([
  'Namespace',
  'Node',
  'PersistentVolume',
  'StorageClass',
  'PriorityClass',
  'ClusterRole',
  'ClusterRoleBinding',
  'CustomResourceDefinition',
  'IngressClass',
  'RuntimeClass',
  'CSIDriver',
  'CSINode',
  'VolumeAttachment',
  'APIService',
  'ValidatingWebhookConfiguration',
  'MutatingWebhookConfiguration',
  'ValidatingAdmissionPolicy',
  'ValidatingAdmissionPolicyBinding',
  'PodSecurityPolicy',
  'FlowSchema',
  'PriorityLevelConfiguration',
  'GatewayClass',
  'ClusterIssuer',
  'ClusterSecretStore',
  'VolumeSnapshotClass',
]);

/** The resource name of a kind: `deployments`, `ingresses`, `networkpolicies`, `endpoints`. */
export function pluralOf(kind: string): string {
  const irregular = IRREGULAR[kind];
  if (irregular !== undefined) return irregular;
  const lower = kind.toLowerCase();
  if (/(s|x|z|ch|sh)$/.test(lower)) return `${lower}es`;
  if (/[^aeiou]y$/.test(lower)) return `${lower.slice(0, -1)}ies`;
  return `${lower}s`;
}

/** The type by its kind alone, for when discovery cannot answer. */
export function guessedType(kind: string): ResourceType {
  return { name: pluralOf(kind), namespaced: !CLUSTER_SCOPED.has(kind) };
}

/**
 * Resource types as the cluster serves them: each apiVersion's discovery document read once (for
 * the life of the returned function, one diff), the guess from the kind when it cannot be read
 * or does not list the kind.
 */
export function discovery(
  cluster: Cluster,
): (apiVersion: string, kind: string) => Promise<ResourceType> {
  const documents = new Map<string, Promise<ServedType[]>>();
  return async (apiVersion, kind) => {
    let listed = documents.get(apiVersion);
    if (listed === undefined) {
      listed = served(cluster, apiVersion);
      documents.set(apiVersion, listed);
    }
    const found = (await listed).find((r) => r.kind === kind);
    return found === undefined
      ? guessedType(kind)
      : { name: found.name, namespaced: found.namespaced };
  };
}

const APIResourceList = z.looseObject({
  resources: z.array(
    z.looseObject({ name: z.string(), kind: z.string(), namespaced: z.boolean() }),
  ),
});

type ServedType = ResourceType & { kind: string };

async function served(cluster: Cluster, apiVersion: string): Promise<ServedType[]> {
  const root = apiVersion.includes('/') ? '/apis' : '/api';
  try {
    const parsed = APIResourceList.safeParse(await cluster.json('GET', `${root}/${apiVersion}`));
    // Subresources (`deployments/scale`) share their kind with the resource itself.
    return parsed.success ? parsed.data.resources.filter((r) => !r.name.includes('/')) : [];
  } catch {
    // Discovery is a convenience here: the guess names every kind the diff usually meets.
    return [];
  }
}

/** A resource name as the API serves them (a CRD's plural is a DNS label): one path step. */
const RESOURCE_NAME = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
/** A namespace is a DNS label. */
const NAMESPACE = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/**
 * `/apis/apps/v1/namespaces/shop/deployments/cart`, or `/api/v1/…` for the core group. The
 * client resolves the path as a URL (`..` climbs, `.` names the list, `#` and `?` end the path)
 * and the API server decodes `%73` to `s`: a kind, name or namespace from Git that is not one
 * step of a path is refused, so it never reaches another namespace, resource or a Secret.
 */
export function objectPath(
  object: { apiVersion: string; metadata: { name: string; namespace?: string | undefined } },
  type: ResourceType,
): string {
  const { name, namespace } = object.metadata;
  if (!RESOURCE_NAME.test(type.name))
    throw new CoxswainError('usage', `${type.name.slice(0, 100)} is not a resource name`);
  if (name === '' || name === '.' || name === '..')
    throw new CoxswainError('usage', `"${name}" is not an object name`);
  if (type.namespaced && namespace && !NAMESPACE.test(namespace))
    throw new CoxswainError('usage', `${namespace.slice(0, 100)} is not a namespace name`);
  const root = object.apiVersion.includes('/')
    ? `/apis/${object.apiVersion}`
    : `/api/${object.apiVersion}`;
  const ns =
    type.namespaced && object.metadata.namespace
      ? `/namespaces/${encodeURIComponent(object.metadata.namespace)}`
      : '';
  return `${root}${ns}/${type.name}/${encodeURIComponent(object.metadata.name)}`;
}
