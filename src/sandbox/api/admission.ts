import { findResource, type ResourceType } from './catalog.ts';
import { addDefaultTolerations } from './default-tolerations.ts';
import { applyLimitRanges, defaultLimitRange } from './limit-range-admission.ts';
import { admitPriority } from './priority-admission.ts';
import { admitQuota } from './quota-admission.ts';
import { preventEscalation } from './rbac/escalation.ts';
import { admitService } from './service-admission.ts';
import type { KObject, ObjectStore } from './store.ts';

/**
 * The admission chain a write goes through after defaulting and before it is stored: the
 * DefaultTolerationSeconds plugin (pods, on create and update), the DefaultStorageClass plugin, the service registry's allocations, LimitRanger's defaults and
 * ResourceQuota on create.
 * Every way an object enters the store (the API, scenario files, the simulated controllers)
 * calls it, so a ReplicaSet's pod meets the same quota a person's does.
 */
const STORAGE_CLASSES = findResource('storage.k8s.io', 'v1', 'storageclasses') as ResourceType;
export const DEFAULT_CLASS = 'storageclass.kubernetes.io/is-default-class';

export function admit(
  store: ObjectStore,
  type: ResourceType,
  object: KObject,
  previous?: KObject,
): void {
  if (type.group === '' && type.kind === 'Service') admitService(store, type, object, previous);
  if (type.group === '' && type.kind === 'Pod') addDefaultTolerations(object);
  if (type.group === '' && type.kind === 'PersistentVolumeClaim' && previous === undefined)
    defaultClaim(store, object);
  if (type.group === '' && previous === undefined) {
    if (type.kind === 'LimitRange') defaultLimitRange(object);
    if (type.kind === 'Pod') applyLimitRanges(store, object);
  }
  preventEscalation(type, object, previous);
  if (previous === undefined) admitPriority(store, type, object);
  if (previous === undefined) admitQuota(store, type, object);
}

/** The default StorageClass, the newest when several claim it, as the admission plugin picks. */
export function defaultStorageClass(store: ObjectStore): KObject | undefined {
  return store
    .view(STORAGE_CLASSES)
    .filter((c) => c.metadata.annotations?.[DEFAULT_CLASS] === 'true')
    .sort((a, b) =>
      (b.metadata.creationTimestamp ?? '').localeCompare(a.metadata.creationTimestamp ?? ''),
    )[0];
}

function defaultClaim(store: ObjectStore, claim: KObject): void {
  claim.spec ??= {};
  const spec = claim.spec as { storageClassName?: string | null; volumeMode?: string };
  if (spec.storageClassName === undefined || spec.storageClassName === null) {
    const found = defaultStorageClass(store);
    if (found !== undefined) spec.storageClassName = found.metadata.name;
    else delete spec.storageClassName;
  }
  spec.volumeMode ??= 'Filesystem';
  claim.status ??= { phase: 'Pending' };
}
