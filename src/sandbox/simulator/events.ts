import { createHash } from 'node:crypto';
import { findResource } from '../api/catalog.ts';
import type { KObject, ObjectStore } from '../api/store.ts';

const EVENTS = findResource('', 'v1', 'events');
const NAMESPACES = findResource('', 'v1', 'namespaces');

type EventSource = { component: string; host?: string };

/**
 * Records events the way the kubelet and controllers do: a repeat of the same reason and message
 * about the same object bumps `count` and `lastTimestamp` instead of adding a row.
 */
export class EventRecorder {
  readonly #store: ObjectStore;

  constructor(store: ObjectStore) {
    this.#store = store;
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
    const id = createHash('sha256')
      .update(`${about.metadata.uid}/${reason}/${message}/${fieldPath ?? ''}`)
      .digest('hex')
      .slice(0, 16);
    const name = `${about.metadata.name}.${id}`;
    const existing = this.#store.peek(EVENTS, namespace, name);
    if (existing !== undefined) {
      this.#store.replace(EVENTS, {
        ...existing,
        count: ((existing.count as number | undefined) ?? 1) + 1,
        lastTimestamp: at,
      });
      return;
    }
    const involvedObject: Record<string, unknown> = {
      kind: about.kind,
      apiVersion: about.apiVersion,
      name: about.metadata.name,
      // Node events carry the node's name as their uid, as the kubelet records them.
      uid: about.kind === 'Node' ? about.metadata.name : about.metadata.uid,
      resourceVersion: about.metadata.resourceVersion,
    };
    if (about.metadata.namespace !== undefined) involvedObject.namespace = about.metadata.namespace;
    if (fieldPath !== undefined) involvedObject.fieldPath = fieldPath;
    this.#store.create(EVENTS, {
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name, namespace, creationTimestamp: at },
      involvedObject,
      reason,
      message,
      type,
      source,
      count: 1,
      firstTimestamp: at,
      lastTimestamp: at,
      reportingComponent: source.component,
      reportingInstance: source.host ?? '',
    });
  }
}

export function stamp(at: Date): string {
  return at.toISOString().replace(/\.\d+Z$/, 'Z');
}
