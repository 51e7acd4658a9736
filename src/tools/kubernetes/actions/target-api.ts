import type { KubernetesObject } from '@kubernetes/client-node';
import { CoxswainError } from '../../../errors.ts';
import type { Cluster } from '../cluster.ts';
import { wrapKubernetesError, writeRefusal } from '../errors.ts';
import type { ActionTarget, Change } from './action.ts';

/**
 * Reading and writing one action target as plain JSON through the client library's transport
 * and the kubeconfig's credentials, whatever its kind. Plain JSON because the typed clients drop
 * the fields their models lack, and a change must be shown, judged and compared whole. Every
 * write (and every dry run) goes through `cluster.write`, as the cluster's write identity, and
 * names the field manager `coxswain`.
 */
const FIELD_MANAGER = 'coxswain';

export type Ref = Pick<ActionTarget, 'apiVersion' | 'kind' | 'name'> & {
  namespace?: string | undefined;
};

const CONTENT_TYPE = {
  strategic: 'application/strategic-merge-patch+json',
  merge: 'application/merge-patch+json',
  json: 'application/json-patch+json',
} as const;

/** The resource names of the kinds actions reach (the generic patch's and delete's, and Pods). */
const PLURAL: Record<string, string> = {
  Pod: 'pods',
  Service: 'services',
  ConfigMap: 'configmaps',
  Deployment: 'deployments',
  StatefulSet: 'statefulsets',
  DaemonSet: 'daemonsets',
  ReplicaSet: 'replicasets',
  HorizontalPodAutoscaler: 'horizontalpodautoscalers',
  CronJob: 'cronjobs',
  Job: 'jobs',
  Ingress: 'ingresses',
  Application: 'applications',
};

/** The resource name of a kind actions reach, as URLs and RBAC rules name it: `deployments`. */
export function resourceOf(kind: string): string {
  const plural = PLURAL[kind];
  if (plural === undefined)
    throw new CoxswainError('kubernetes_api', `Coxswain does not act on ${kind} objects`);
  return plural;
}

/** The API group of an apiVersion: `apps` for `apps/v1`, `` (the core group) for `v1`. */
export function groupOf(apiVersion: string): string {
  return apiVersion.includes('/') ? (apiVersion.split('/')[0] ?? '') : '';
}

/** `/apis/apps/v1/namespaces/shop/deployments/cart`, or `/api/v1/…` for the core group. */
function pathOf(ref: Ref): string {
  const plural = resourceOf(ref.kind);
  const root = ref.apiVersion.includes('/') ? `/apis/${ref.apiVersion}` : `/api/${ref.apiVersion}`;
  const scope = ref.namespace ? `/namespaces/${encodeURIComponent(ref.namespace)}` : '';
  return `${root}${scope}/${plural}/${encodeURIComponent(ref.name)}`;
}

/** The object as the API server has it, every field kept. */
export async function readTarget(cluster: Cluster, ref: Ref): Promise<KubernetesObject> {
  try {
    return (await cluster.json('GET', pathOf(ref))) as KubernetesObject;
  } catch (error) {
    if (error instanceof CoxswainError) throw error;
    throw wrapKubernetesError(error, attempt('read', ref));
  }
}

/**
 * Applies (or with `dryRun`, previews on the server) a change to the target, and returns the
 * object as the server has it (or would) afterwards, every field kept; undefined for a delete.
 */
export async function writeTarget(
  cluster: Cluster,
  ref: Ref,
  change: Change,
  options: { dryRun: boolean; uid?: string },
): Promise<KubernetesObject | undefined> {
  refuseOwnNamespace(cluster, ref);
  const dryRun: Record<string, string> = options.dryRun ? { dryRun: 'All' } : {};
  try {
    if (change.method === 'delete') {
      await cluster.write('DELETE', pathOf(ref), {
        query: dryRun,
        body: {
          apiVersion: 'v1',
          kind: 'DeleteOptions',
          propagationPolicy: 'Background',
          ...(options.uid === undefined ? {} : { preconditions: { uid: options.uid } }),
          ...(options.dryRun ? { dryRun: ['All'] } : {}),
        },
      });
      return undefined;
    }
    return (await cluster.write('PATCH', pathOf(ref), {
      query: { ...dryRun, fieldManager: FIELD_MANAGER },
      body: change.body,
      contentType: CONTENT_TYPE[change.patchType],
    })) as KubernetesObject;
  } catch (error) {
    if (error instanceof CoxswainError) throw error;
    const verb = change.method === 'delete' ? 'delete' : 'patch';
    const refused =
      cluster.writeAs === undefined
        ? undefined
        : writeRefusal(error, cluster.writeAs, {
            verb,
            group: groupOf(ref.apiVersion),
            resource: resourceOf(ref.kind),
            ...(ref.namespace ? { namespace: ref.namespace } : {}),
          });
    throw refused ?? wrapKubernetesError(error, attempt(verb, ref));
  }
}

/**
 * The namespace of the ServiceAccount writes go as is Coxswain's own, the writer's and the
 * worker's: a change there (the worker's image, the config file with the bindings and the
 * policy) would change Coxswain itself and with it who may do what, so no tier, binding or
 * approval reaches it. A binding over every namespace grants the writer RBAC there too.
 */
function refuseOwnNamespace(cluster: Cluster, ref: Ref): void {
  const own = /^system:serviceaccount:([^:]+):/.exec(cluster.writeAs ?? '')?.[1];
  if (own === undefined || ref.namespace !== own) return;
  throw new CoxswainError(
    'forbidden_change',
    `${ref.kind.toLowerCase()} ${own}/${ref.name}: forbidden whatever the tier: namespace ${own} is Coxswain's own (writes go as ${cluster.writeAs}); what runs there is changed by people only`,
  );
}

function attempt(verb: string, ref: Ref) {
  return {
    verb,
    resource: ref.kind.toLowerCase(),
    name: ref.name,
    ...(ref.namespace ? { namespace: ref.namespace } : {}),
  };
}
