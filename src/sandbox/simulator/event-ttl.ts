import { findResource, type ResourceType } from '../api/catalog.ts';
import type { KObject, ObjectStore } from '../api/store.ts';

/**
 * The API server keeps events for an hour after their last write (`--event-ttl`, 1h by
 * default) and then they are gone; the sandbox drops them by simulated time.
 */
const EVENTS = findResource('', 'v1', 'events') as ResourceType;
export const EVENT_TTL_MS = 60 * 60 * 1000;

/** How often to look for expired events, in simulated time: a sweep lists every event. */
const SWEEP_MS = 60 * 1000;

/** A sweeper that drops expired events, at most once a simulated minute. */
export function eventExpiry(): (store: ObjectStore) => void {
  let last = Number.NEGATIVE_INFINITY;
  return (store) => {
    const now = store.now().getTime();
    if (now - last < SWEEP_MS && now >= last) return;
    last = now;
    expireEvents(store);
  };
}

export function expireEvents(store: ObjectStore): void {
  const now = store.now().getTime();
  for (const event of store.view(EVENTS)) {
    if (now - lastWrite(event) > EVENT_TTL_MS) {
      store.remove(EVENTS, event.metadata.namespace, event.metadata.name);
    }
  }
}

/** The latest time the event says it was written; an event that says none never expires. */
function lastWrite(event: KObject): number {
  const series = event.series as { lastObservedTime?: string } | undefined;
  const times = [
    event.lastTimestamp,
    event.eventTime,
    series?.lastObservedTime,
    event.metadata.creationTimestamp,
  ]
    .filter((t): t is string => typeof t === 'string')
    .map((t) => Date.parse(t))
    .filter((t) => !Number.isNaN(t));
  return times.length === 0 ? Number.POSITIVE_INFINITY : Math.max(...times);
}
