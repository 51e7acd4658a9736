import { findKind, type ResourceType } from './catalog.ts';
import type { DeleteOptions } from './request.ts';
import { ApiError, type KObject, type ObjectStore } from './store.ts';

/**
 * Deleting one object as the API server does: preconditions; finalizers, which make a delete
 * only mark the object; a pod's grace period; the propagation policy towards its dependents
 * (Orphan here, Background and Foreground finished by the garbage collector); a namespace's
 * Terminating phase, which the namespace controller finishes.
 */
export type Propagation = 'Orphan' | 'Background' | 'Foreground';

export const FOREGROUND = 'foregroundDeletion';
/** The namespace controller's own finalizer, in a namespace's `spec.finalizers`. */
export const NAMESPACE_FINALIZER = 'kubernetes';

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

/** The policy a request asks for; without one, dependents go in the background. */
export function propagationOf(options: DeleteOptions): Propagation {
  const policy = options.propagationPolicy;
  if (policy === undefined || policy === '')
    return options.orphanDependents === true ? 'Orphan' : 'Background';
  if (policy === 'Orphan' || policy === 'Background' || policy === 'Foreground') return policy;
  throw new ApiError(
    422,
    'Invalid',
    `DeleteOptions.meta.k8s.io "" is invalid: propagationPolicy: Unsupported value: "${policy}": supported values: "Foreground", "Background", "Orphan", "nil"`,
  );
}

function stampAt(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d+Z$/, 'Z');
}

/** Marks an object as being deleted: it stays until its finalizers are gone (and a pod's grace). */
function mark(
  store: ObjectStore,
  type: ResourceType,
  object: KObject,
  grace: number,
  finalizers: string[],
  dryRun: boolean,
): KObject {
  const metadata = {
    ...object.metadata,
    deletionTimestamp: stampAt(store.now().getTime() + grace * 1000),
    deletionGracePeriodSeconds: grace,
  };
  if (finalizers.length > 0) metadata.finalizers = finalizers;
  return store.replace(type, { ...object, metadata }, { dryRun });
}

/** Orphaning: the dependents lose their reference to the owner and stay. */
function orphanDependents(store: ObjectStore, owner: KObject, dryRun: boolean): void {
  if (dryRun) return;
  for (const { object, type } of dependentsWithTypes(store, owner.metadata.uid)) {
    const refs = (object.metadata.ownerReferences ?? []).filter(
      (r) => r.uid !== owner.metadata.uid,
    );
    const { ownerReferences: _, ...rest } = object.metadata;
    const metadata = refs.length === 0 ? rest : { ...rest, ownerReferences: refs };
    store.replace(type, { ...object, metadata });
  }
}

/** The objects owned by `uid`, each with its resource type. */
export function dependentsWithTypes(
  store: ObjectStore,
  uid: string | undefined,
): { object: KObject; type: ResourceType }[] {
  return store.dependentsOf(uid).flatMap(({ object }) => {
    const type = findKind(object.apiVersion, object.kind);
    return type === undefined ? [] : [{ object: structuredClone(object), type }];
  });
}

/** A namespace goes Terminating; the namespace controller empties it, then it goes. */
function markNamespace(
  store: ObjectStore,
  type: ResourceType,
  namespace: KObject,
  dryRun: boolean,
): KObject {
  if (namespace.metadata.deletionTimestamp !== undefined) return namespace;
  const spec = (namespace.spec ?? {}) as { finalizers?: string[] };
  const finalizers = spec.finalizers ?? [NAMESPACE_FINALIZER];
  const metadata = {
    ...namespace.metadata,
    deletionTimestamp: stampAt(store.now().getTime()),
    deletionGracePeriodSeconds: 0,
  };
  const next = {
    ...namespace,
    metadata,
    spec: { ...spec, finalizers },
    status: { ...((namespace.status ?? {}) as object), phase: 'Terminating' },
  };
  return store.replace(type, next, { dryRun });
}

export function deleteObject(
  store: ObjectStore,
  type: ResourceType,
  object: KObject,
  options: DeleteOptions,
  dryRun: boolean,
): KObject {
  checkPreconditions(object, options);
  const policy = propagationOf(options);
  if (type.kind === 'Namespace') return markNamespace(store, type, object, dryRun);
  const finalizers = object.metadata.finalizers ?? [];
  if (object.metadata.deletionTimestamp !== undefined) {
    // Asked again for a foreground deletion, the object waits for its dependents from now on.
    if (policy !== 'Foreground' || finalizers.includes(FOREGROUND)) return object;
    return store.replace(
      type,
      { ...object, metadata: { ...object.metadata, finalizers: [...finalizers, FOREGROUND] } },
      { dryRun },
    );
  }
  if (policy === 'Orphan') orphanDependents(store, object, dryRun);
  const grace = type.kind === 'Pod' ? graceOf(object, options) : 0;
  const wanted = policy === 'Foreground' ? [...finalizers, FOREGROUND] : finalizers;
  if (wanted.length > 0 || grace > 0) return mark(store, type, object, grace, wanted, dryRun);
  if (dryRun) return object;
  return store.removeOnly(type, object.metadata.namespace, object.metadata.name);
}

function graceOf(pod: KObject, options: DeleteOptions): number {
  if (options.gracePeriodSeconds !== undefined) return options.gracePeriodSeconds;
  const spec = pod.spec as { terminationGracePeriodSeconds?: number } | undefined;
  return spec?.terminationGracePeriodSeconds ?? 30;
}

/**
 * After a write to an object being deleted: once no finalizer holds it, it goes, as the API
 * server removes it on the update that takes the last finalizer away. A pod still in its grace
 * period is left to its kubelet; a namespace also waits for its `spec.finalizers`.
 */
export function releaseIfDone(store: ObjectStore, type: ResourceType, object: KObject): boolean {
  const meta = object.metadata;
  if (meta.deletionTimestamp === undefined) return false;
  if ((meta.finalizers ?? []).length > 0) return false;
  if (type.kind === 'Namespace') {
    const spec = (object.spec ?? {}) as { finalizers?: string[] };
    if ((spec.finalizers ?? []).length > 0) return false;
  }
  if (type.kind === 'Pod' && Date.parse(meta.deletionTimestamp) > store.now().getTime())
    return false;
  if (store.get(type, meta.namespace, meta.name) === undefined) return false;
  store.removeOnly(type, meta.namespace, meta.name);
  return true;
}
