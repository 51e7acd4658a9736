import { findResource, type ResourceType } from '../api/catalog.ts';
import type { ObjectStore } from '../api/store.ts';

/**
 * How many pods the sandbox holds at most: twice what its nodes can run, and never fewer than
 * 2,000. A replica count of a billion then makes pods that wait, as on a real cluster, without
 * running the process out of memory or time.
 */
const NODES = findResource('', 'v1', 'nodes') as ResourceType;
const PODS = findResource('', 'v1', 'pods') as ResourceType;
const FLOOR = 2_000;

export function podLimit(store: ObjectStore): number {
  let capacity = 0;
  for (const node of store.view(NODES)) {
    const allocatable = (node.status as { allocatable?: { pods?: unknown } } | undefined)
      ?.allocatable;
    const pods = Number(allocatable?.pods ?? 110);
    capacity += Number.isFinite(pods) && pods > 0 ? Math.min(pods, 1_000) : 0;
  }
  return Math.max(FLOOR, 2 * capacity);
}

/** Pods that can still be made before the limit. */
export function podRoom(store: ObjectStore): number {
  return Math.max(0, podLimit(store) - store.count(PODS));
}
