import { createHash } from 'node:crypto';
import { findResource } from '../api/catalog.ts';
import type { KObject, ObjectStore } from '../api/store.ts';
import { EventCorrelator } from './event-correlator.ts';

const EVENTS = findResource('', 'v1', 'events');
const NAMESPACES = findResource('', 'v1', 'namespaces');

type EventSource = { component: string; host?: string };

/**
 * Records events the way the kubelet and controllers do: a repeat of the same reason and message
 * about the same object bumps `count` and `lastTimestamp` instead of adding a row, and, as client-go's
 * correlator, similar events are combined and a source's spam about one object is dropped.
 */
export class EventRecorder {
  readonly #store: ObjectStore;
  readonly #correlator: EventCorrelator;

  constructor(store: ObjectStore) {
    this.#store = store;
    this.#correlator = new EventCorrelator(() => store.now());
  }

  record(
    about: KObject,
    type: 'Normal' | 'Warning',
    reason: string,
    message: string,
    source: EventSource,
    fieldPath?: string,
  ): void {
    if (EVENTS === undefined) return;
    const namespace = about.metadata.namespace ?? 'default';
    // Nothing new is written into a namespace that is gone or going, as its lifecycle admits.
    const home =
      NAMESPACES === undefined ? undefined : this.#store.peek(NAMESPACES, undefined, namespace);
    if (home === undefined || home.metadata.deletionTimestamp !== undefined) return;
    const at = stamp(this.#store.now());
    const involvedObject = reference(about, fieldPath);
    const correlation = this.#correlator.correlate({
      source,
      involvedObject,
      type,
      reason,
      message,
    });
    if (correlation.skip) return;
    const id = createHash('sha256').update(correlation.key).digest('hex').slice(0, 16);
    const name = correlation.first?.name ?? `${about.metadata.name}.${id}`;
    const existing = this.#store.peek(EVENTS, namespace, name);
    if (existing !== undefined) {
      // A series the correlator has forgotten still continues the event already written.
      const count =
        correlation.first === undefined
          ? ((existing.count as number | undefined) ?? 1) + 1
          : correlation.count;
      this.#store.replace(EVENTS, {
        ...existing,
        message: correlation.message,
        count,
        lastTimestamp: at,
      });
      this.#correlator.written(correlation.key, name, String(existing.firstTimestamp ?? at), count);
      return;
    }
    const firstTimestamp = correlation.first?.firstTimestamp || at;
    this.#correlator.written(correlation.key, name, firstTimestamp, correlation.count);
    this.#store.create(EVENTS, {
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name, namespace, creationTimestamp: at },
      involvedObject,
      reason,
      message: correlation.message,
      type,
      source,
      count: correlation.count,
      firstTimestamp,
      lastTimestamp: at,
      reportingComponent: source.component,
      reportingInstance: source.host ?? '',
    });
  }
}

function reference(about: KObject, fieldPath: string | undefined): Record<string, string> {
  const involvedObject: Record<string, string> = {
    kind: about.kind,
    apiVersion: about.apiVersion,
    name: about.metadata.name,
  };
  // Node events carry the node's name as their uid, as the kubelet records them.
  const uid = about.kind === 'Node' ? about.metadata.name : about.metadata.uid;
  if (uid !== undefined) involvedObject.uid = uid;
  const version = about.metadata.resourceVersion;
  if (version !== undefined) involvedObject.resourceVersion = version;
  if (about.metadata.namespace !== undefined) involvedObject.namespace = about.metadata.namespace;
  if (fieldPath !== undefined) involvedObject.fieldPath = fieldPath;
  return involvedObject;
}

export function stamp(at: Date): string {
  return at.toISOString().replace(/\.\d+Z$/, 'Z');
}
