import { type KubernetesObject, PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import { CoxswainError } from '../../../errors.ts';
import type { Cluster } from '../cluster.ts';
import { wrapKubernetesError } from '../errors.ts';
import type { ActionTarget, Change } from './action.ts';

/**
 * Reading and writing one action target through the client library, whatever its kind: pods and
 * workloads through their typed APIs (JSON patches need them), anything else through the
 * generic object API. Every write names the field manager `coxswain`.
 */
export const FIELD_MANAGER = 'coxswain';

export type Ref = Pick<ActionTarget, 'apiVersion' | 'kind' | 'name'> & {
  namespace?: string | undefined;
};

const STRATEGY = {
  strategic: PatchStrategy.StrategicMergePatch,
  merge: PatchStrategy.MergePatch,
  json: PatchStrategy.JsonPatch,
} as const;

export async function readTarget(cluster: Cluster, ref: Ref): Promise<KubernetesObject> {
  const namespace = ref.namespace ?? '';
  try {
    if (ref.kind === 'Deployment')
      return await cluster.apps.readNamespacedDeployment({ name: ref.name, namespace });
    if (ref.kind === 'StatefulSet')
      return await cluster.apps.readNamespacedStatefulSet({ name: ref.name, namespace });
    if (ref.kind === 'Pod')
      return await cluster.core.readNamespacedPod({ name: ref.name, namespace });
    return await cluster.objects.read({
      apiVersion: ref.apiVersion,
      kind: ref.kind,
      metadata: { name: ref.name, ...(ref.namespace ? { namespace } : {}) },
    });
  } catch (error) {
    throw wrapKubernetesError(error, attempt('read', ref));
  }
}

/** Applies (or with `dryRun`, previews on the server) a change to the target. */
export async function writeTarget(
  cluster: Cluster,
  ref: Ref,
  change: Change,
  options: { dryRun: boolean; uid?: string },
): Promise<KubernetesObject | undefined> {
  const namespace = ref.namespace ?? '';
  const dryRun = options.dryRun ? 'All' : undefined;
  const common = { name: ref.name, namespace, ...(dryRun ? { dryRun } : {}) };
  try {
    if (change.method === 'delete') {
      const preconditions = options.uid === undefined ? undefined : { uid: options.uid };
      const body = {
        ...(preconditions ? { preconditions } : {}),
        ...(dryRun ? { dryRun: ['All'] } : {}),
      };
      if (ref.kind === 'Pod') await cluster.core.deleteNamespacedPod({ ...common, body });
      else
        await cluster.objects.delete(
          { apiVersion: ref.apiVersion, kind: ref.kind, metadata: { name: ref.name, namespace } },
          undefined,
          dryRun,
          undefined,
          undefined,
          'Background',
          body,
        );
      return undefined;
    }
    const header = setHeaderOptions('Content-Type', STRATEGY[change.patchType]);
    const patch = { ...common, body: change.body as object, fieldManager: FIELD_MANAGER };
    if (ref.kind === 'Deployment')
      return await cluster.apps.patchNamespacedDeployment(patch, header);
    if (ref.kind === 'StatefulSet')
      return await cluster.apps.patchNamespacedStatefulSet(patch, header);
    if (ref.kind === 'Pod') return await cluster.core.patchNamespacedPod(patch, header);
    if (change.patchType === 'json') {
      throw new CoxswainError(
        'kubernetes_api',
        `JSON patches are supported for Deployments, StatefulSets and Pods; use a merge patch for ${ref.kind}`,
      );
    }
    const body = {
      ...(change.body as object),
      apiVersion: ref.apiVersion,
      kind: ref.kind,
      metadata: {
        ...((change.body as { metadata?: object }).metadata ?? {}),
        name: ref.name,
        ...(ref.namespace ? { namespace } : {}),
      },
    };
    return await cluster.objects.patch(
      body,
      undefined,
      dryRun,
      FIELD_MANAGER,
      undefined,
      STRATEGY[change.patchType],
    );
  } catch (error) {
    if (error instanceof CoxswainError) throw error;
    throw wrapKubernetesError(error, attempt(change.method === 'delete' ? 'delete' : 'patch', ref));
  }
}

function attempt(verb: string, ref: Ref) {
  return {
    verb,
    resource: ref.kind.toLowerCase(),
    name: ref.name,
    ...(ref.namespace ? { namespace: ref.namespace } : {}),
  };
}
