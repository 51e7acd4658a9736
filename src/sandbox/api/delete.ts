import { findResource, type ResourceType } from './catalog.ts';
import type { DeleteOptions } from './request.ts';
import { ApiError, type KObject, type ObjectStore } from './store.ts';

/** Deleting one object as the API server does: preconditions, a pod's grace period, a namespace's contents. */

/** What a namespace's deletion takes with it, by plural (Deployments and ReplicaSets are in apps). */
const NAMESPACED_CONTENTS = [
  'pods',
  'deployments',
  'replicasets',
  'services',
  'configmaps',
  'events',
  'secrets',
];

function checkPreconditions(object: KObject, options: DeleteOptions): void {
  const pre = options.preconditions ?? {};
  if (pre.uid !== undefined && pre.uid !== object.metadata.uid) {
    throw new ApiError(
      409,
      'Conflict',
      `Precondition failed: UID in precondition: ${pre.uid}, UID in object meta: ${object.metadata.uid}`,
    );
  }
  if (
    pre.resourceVersion !== undefined &&
    pre.resourceVersion !== object.metadata.resourceVersion
  ) {
    throw new ApiError(
      409,
      'Conflict',
      `Precondition failed: ResourceVersion in precondition: ${pre.resourceVersion}, ResourceVersion in object meta: ${object.metadata.resourceVersion}`,
    );
  }
}

/** A pod is only marked for deletion; the kubelet removes it when its grace period is over. */
function markPod(
  store: ObjectStore,
  type: ResourceType,
  pod: KObject,
  gracePeriodSeconds: number | undefined,
  dryRun: boolean,
): KObject {
  if (pod.metadata.deletionTimestamp !== undefined) return pod;
  const grace = gracePeriodSeconds ?? 30;
  const at = new Date(store.now().getTime() + grace * 1000).toISOString().replace(/\.\d+Z$/, 'Z');
  return store.replace(
    type,
    {
      ...pod,
      metadata: { ...pod.metadata, deletionTimestamp: at, deletionGracePeriodSeconds: grace },
    },
    { dryRun },
  );
}

function emptyNamespace(store: ObjectStore, namespace: string): void {
  for (const other of NAMESPACED_CONTENTS) {
    const t = findResource(
      other === 'deployments' || other === 'replicasets' ? 'apps' : '',
      'v1',
      other,
    );
    if (t === undefined) continue;
    for (const item of store.list(t, namespace))
      store.remove(t, item.metadata.namespace, item.metadata.name);
  }
}

export function deleteObject(
  store: ObjectStore,
  type: ResourceType,
  object: KObject,
  options: DeleteOptions,
  dryRun: boolean,
): KObject {
  checkPreconditions(object, options);
  if (type.kind === 'Pod' && options.gracePeriodSeconds !== 0)
    return markPod(store, type, object, options.gracePeriodSeconds, dryRun);
  if (type.kind === 'Namespace' && !dryRun) emptyNamespace(store, object.metadata.name);
  return store.remove(type, object.metadata.namespace, object.metadata.name, dryRun);
}
