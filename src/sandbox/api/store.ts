import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { apiVersionOf, type ResourceType } from './catalog.ts';
import { canonical } from './hash.ts';
import { recordUpdate } from './managed-fields.ts';

/**
 * The sandbox's etcd: objects by resource, namespace and name, one resourceVersion counter for
 * all of them, and a short history of changes so that watches can resume from a version.
 */
export type KObject = {
  apiVersion: string;
  kind: string;
  metadata: Metadata;
  [key: string]: unknown;
};

type Metadata = {
  name: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  generation?: number;
  creationTimestamp?: string;
  deletionTimestamp?: string;
  deletionGracePeriodSeconds?: number;
  finalizers?: string[];
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  ownerReferences?: OwnerReference[];
  managedFields?: unknown[];
  generateName?: string;
  [key: string]: unknown;
};

type OwnerReference = {
  apiVersion: string;
  kind: string;
  name: string;
  uid: string;
  controller?: boolean;
  blockOwnerDeletion?: boolean;
};

export type WatchEvent = { type: 'ADDED' | 'MODIFIED' | 'DELETED'; object: KObject };
type Change = WatchEvent & { rv: number; plural: string; group: string };

/** An API failure with the status and reason a real API server gives. */
export class ApiError extends Error {
  readonly status: number;
  readonly reason: string;
  readonly details: Record<string, unknown> | undefined;

  constructor(status: number, reason: string, message: string, details?: Record<string, unknown>) {
    super(message);
    this.status = status;
    this.reason = reason;
    this.details = details;
  }
}

export type WriteOptions = { dryRun?: boolean; fieldManager?: string; operation?: string };

const HISTORY = 5000;

/** Objects of one resource, by namespace ('' for cluster-scoped ones) and name. */
type Shelf = Map<string, Map<string, Readonly<KObject>>>;

export class ObjectStore {
  /**
   * By resource (`group/plural`), then namespace, then name. Stored objects are frozen and never
   * changed in place: a write stores a new object, so readers may share them (`view`, `peek`).
   */
  #shelves = new Map<string, Shelf>();
  #version = 1;
  #history: Change[] = [];
  readonly #events = new EventEmitter();
  /** Moves simulated time; tests and scenarios may start the world in the past. */
  now: () => Date = () => new Date();

  constructor() {
    this.#events.setMaxListeners(0);
  }

  get resourceVersion(): string {
    return String(this.#version);
  }

  get(type: ResourceType, namespace: string | undefined, name: string): KObject | undefined {
    const found = this.peek(type, namespace, name);
    return found === undefined ? undefined : copy(found as KObject);
  }

  /** The stored object itself, frozen: for readers that only look (the simulator's controllers). */
  peek(
    type: ResourceType,
    namespace: string | undefined,
    name: string,
  ): Readonly<KObject> | undefined {
    return this.#shelf(type)
      .get(type.namespaced ? (namespace ?? '') : '')
      ?.get(name);
  }

  mustGet(type: ResourceType, namespace: string | undefined, name: string): KObject {
    const found = this.get(type, namespace, name);
    if (found === undefined) throw notFound(type, name);
    return found;
  }

  /** Copies of the objects of one resource (in one namespace), ordered as etcd keys are. */
  list(type: ResourceType, namespace?: string): KObject[] {
    return this.view(type, namespace).map((o) => copy(o as KObject));
  }

  /** The stored objects themselves, frozen and ordered as `list` orders them; nothing is copied. */
  view(type: ResourceType, namespace?: string): readonly Readonly<KObject>[] {
    const shelf = this.#shelf(type);
    const namespaces =
      namespace === undefined || !type.namespaced
        ? sortedKeys(shelf)
        : shelf.has(namespace)
          ? [namespace]
          : [];
    const out: Readonly<KObject>[] = [];
    for (const ns of namespaces) {
      const names = shelf.get(ns) as Map<string, Readonly<KObject>>;
      for (const name of sortedKeys(names)) out.push(names.get(name) as KObject);
    }
    return out;
  }

  /** How many objects of one resource are stored, without reading them. */
  count(type: ResourceType): number {
    let total = 0;
    for (const names of this.#shelf(type).values()) total += names.size;
    return total;
  }

  create(type: ResourceType, input: KObject, options: WriteOptions = {}): KObject {
    const object = copy(input);
    object.apiVersion = apiVersionOf(type);
    object.kind = type.kind;
    const meta = object.metadata;
    if (meta.name === undefined || meta.name === '') {
      if (meta.generateName === undefined) {
        throw new ApiError(
          422,
          'Invalid',
          `${type.kind} "" is invalid: metadata.name: Required value: name or generateName is required`,
        );
      }
      // A generated name that is taken is generated again, as a client would retry.
      for (let tries = 0; tries < 8; tries++) {
        meta.name = `${meta.generateName}${randomSuffix(5)}`;
        if (this.peek(type, meta.namespace, meta.name) === undefined) break;
      }
    }
    checkName(type, meta.name);
    if (!type.namespaced) delete meta.namespace;
    if (this.peek(type, meta.namespace, meta.name) !== undefined) {
      throw new ApiError(
        409,
        'AlreadyExists',
        `${resourceName(type)} "${meta.name}" already exists`,
        {
          name: meta.name,
          group: type.group,
          kind: type.plural,
        },
      );
    }
    meta.uid = randomUUID();
    meta.creationTimestamp ??= this.now()
      .toISOString()
      .replace(/\.\d+Z$/, 'Z');
    // Only objects with a spec have a generation, as in the real API.
    if (object.spec !== undefined) meta.generation = 1;
    else delete meta.generation;
    delete meta.deletionTimestamp;
    delete meta.generateName;
    recordManager(undefined, object, options, this.now());
    if (options.dryRun === true) return object;
    meta.resourceVersion = String(++this.#version);
    const stored = this.#put(type, object);
    this.#emit(type, 'ADDED', stored);
    return copy(object);
  }

  /**
   * Replaces an object. A resourceVersion in the input is a precondition, as in the real API:
   * when it is stale the write is refused with 409.
   */
  replace(type: ResourceType, input: KObject, options: WriteOptions = {}): KObject {
    const meta = input.metadata;
    const current = this.mustGet(type, meta.namespace, meta.name);
    if (
      meta.resourceVersion !== undefined &&
      meta.resourceVersion !== current.metadata.resourceVersion
    ) {
      throw conflict(type, meta.name);
    }
    const object = copy(input);
    object.apiVersion = apiVersionOf(type);
    object.kind = type.kind;
    const kept = current.metadata;
    object.metadata = {
      ...object.metadata,
      name: kept.name,
      uid: kept.uid,
      creationTimestamp: kept.creationTimestamp,
      generation: kept.generation,
    } as Metadata;
    if (kept.namespace !== undefined) object.metadata.namespace = kept.namespace;
    if (kept.deletionTimestamp !== undefined)
      object.metadata.deletionTimestamp = kept.deletionTimestamp;
    if (kept.generation === undefined) delete object.metadata.generation;
    else if (JSON.stringify(specOf(object)) !== JSON.stringify(specOf(current))) {
      object.metadata.generation = kept.generation + 1;
    }
    // A write that changes nothing is not written, as the API server skips it: the version
    // stays, no watch hears of it, and kubectl says "(no change)".
    if (sameContent(object, current)) return current;
    recordManager(current, object, options, this.now());
    if (options.dryRun === true) {
      if (kept.resourceVersion !== undefined)
        object.metadata.resourceVersion = kept.resourceVersion;
      return object;
    }
    object.metadata.resourceVersion = String(++this.#version);
    const stored = this.#put(type, object);
    this.#emit(type, 'MODIFIED', stored);
    return copy(object);
  }

  /**
   * Writes status as a controller would: no generation bump, no preconditions. Answers the stored
   * object, frozen.
   */
  writeStatus(type: ResourceType, object: Readonly<KObject>): Readonly<KObject> {
    const current = this.peek(type, object.metadata.namespace, object.metadata.name);
    if (current === undefined) throw notFound(type, object.metadata.name);
    const status = JSON.stringify(object.status);
    if (statusText(current) === status) return current;
    const next = {
      ...current,
      status: status === undefined ? undefined : JSON.parse(status),
    } as KObject;
    next.metadata = { ...current.metadata, resourceVersion: String(++this.#version) };
    const stored = this.#put(type, next);
    this.#emit(type, 'MODIFIED', stored);
    return stored;
  }

  /** Removes an object now; owners' dependents follow (background cascading deletion). */
  remove(type: ResourceType, namespace: string | undefined, name: string, dryRun = false): KObject {
    const current = this.mustGet(type, namespace, name);
    if (dryRun) return current;
    this.#take(`${type.group}/${type.plural}`, current);
    current.metadata.resourceVersion = String(++this.#version);
    this.#emit(type, 'DELETED', deepFreeze(copy(current)));
    this.#collectDependents(current.metadata.uid);
    return current;
  }

  /**
   * Removes one object and nothing else: its dependents are left for the garbage collector (or
   * were orphaned), as when the API server deletes an object and the controllers follow.
   */
  removeOnly(type: ResourceType, namespace: string | undefined, name: string): KObject {
    const current = this.mustGet(type, namespace, name);
    this.#take(`${type.group}/${type.plural}`, current);
    current.metadata.resourceVersion = String(++this.#version);
    this.#emit(type, 'DELETED', deepFreeze(copy(current)));
    return current;
  }

  /** Every stored object owned by `uid`, across resources. */
  dependentsOf(uid: string | undefined): { key: string; object: Readonly<KObject> }[] {
    if (uid === undefined) return [];
    const out: { key: string; object: Readonly<KObject> }[] = [];
    for (const [key, shelf] of this.#shelves) {
      for (const names of shelf.values()) {
        for (const object of names.values()) {
          if (object.metadata.ownerReferences?.some((o) => o.uid === uid))
            out.push({ key, object });
        }
      }
    }
    return out;
  }

  /** Changes after `since` for one resource, or undefined when the history no longer reaches it. */
  changesSince(type: ResourceType, since: number): WatchEvent[] | undefined {
    const oldest = this.#history[0]?.rv ?? this.#version + 1;
    if (since < oldest - 1 && since < this.#version) return undefined;
    return this.#history
      .filter((c) => c.rv > since && c.plural === type.plural && c.group === type.group)
      .map(({ type: kind, object }) => ({ type: kind, object: copy(object) }));
  }

  onChange(listener: (group: string, plural: string, event: WatchEvent) => void): () => void {
    const handler = (change: Change) =>
      listener(change.group, change.plural, { type: change.type, object: change.object });
    this.#events.on('change', handler);
    return () => this.#events.off('change', handler);
  }

  #collectDependents(uid: string | undefined): void {
    for (const { key, object } of this.dependentsOf(uid)) {
      this.#take(key, object);
      const gone = copy(object as KObject);
      gone.metadata.resourceVersion = String(++this.#version);
      const [group = '', plural = ''] = key.split('/');
      this.#record(group, plural, 'DELETED', deepFreeze(gone));
      this.#collectDependents(object.metadata.uid);
    }
  }

  #shelf(type: ResourceType): Shelf {
    const key = `${type.group}/${type.plural}`;
    let shelf = this.#shelves.get(key);
    if (shelf === undefined) {
      shelf = new Map();
      this.#shelves.set(key, shelf);
    }
    return shelf;
  }

  /** Stores an object (the caller's copy, frozen from now on) and answers it. */
  #put(type: ResourceType, object: KObject): Readonly<KObject> {
    const shelf = this.#shelf(type);
    const namespace = type.namespaced ? (object.metadata.namespace ?? '') : '';
    let names = shelf.get(namespace);
    if (names === undefined) {
      names = new Map();
      shelf.set(namespace, names);
      orders.delete(shelf);
    }
    const stored = deepFreeze(object);
    if (!names.has(object.metadata.name)) orders.delete(names);
    names.set(object.metadata.name, stored);
    return stored;
  }

  #take(shelfKey: string, object: Readonly<KObject>): void {
    const shelf = this.#shelves.get(shelfKey);
    const namespace = object.metadata.namespace ?? '';
    const names = shelf?.get(namespace);
    if (names === undefined || shelf === undefined) return;
    names.delete(object.metadata.name);
    orders.delete(names);
    if (names.size === 0) {
      shelf.delete(namespace);
      orders.delete(shelf);
    }
  }

  #emit(type: ResourceType, kind: WatchEvent['type'], object: Readonly<KObject>): void {
    this.#record(type.group, type.plural, kind, object);
  }

  /** A change for watches and the history; the object is frozen, so it is kept as it is. */
  #record(
    group: string,
    plural: string,
    type: WatchEvent['type'],
    object: Readonly<KObject>,
  ): void {
    const change: Change = { rv: this.#version, group, plural, type, object: object as KObject };
    this.#history.push(change);
    if (this.#history.length > HISTORY) this.#history.splice(0, this.#history.length - HISTORY);
    this.#events.emit('change', change);
  }
}

export function notFound(type: ResourceType, name: string): ApiError {
  return new ApiError(404, 'NotFound', `${resourceName(type)} "${name}" not found`, {
    name,
    group: type.group,
    kind: type.plural,
  });
}

function conflict(type: ResourceType, name: string): ApiError {
  return new ApiError(
    409,
    'Conflict',
    `Operation cannot be fulfilled on ${resourceName(type)} "${name}": the object has been modified; please apply your changes to the latest version and try again`,
    { name, group: type.group, kind: type.plural },
  );
}

/** `deployments.apps`, or `pods` for the core group, as the API server names resources. */
export function resourceName(type: ResourceType): string {
  return type.group === '' ? type.plural : `${type.plural}.${type.group}`;
}

function randomSuffix(length: number): string {
  const alphabet = 'bcdfghjklmnpqrstvwxz2456789';
  let out = '';
  for (let i = 0; i < length; i++) out += alphabet[Math.floor(Math.random() * alphabet.length)];
  return out;
}

/**
 * A deep copy of a JSON object. Objects here are what JSON decoding made, and a JSON round trip
 * copies them several times faster than `structuredClone`, which matters with thousands of pods.
 */
export function copy<T>(value: T): T {
  return value === undefined ? value : (JSON.parse(JSON.stringify(value)) as T);
}

const statusTexts = new WeakMap<object, string | undefined>();

/** A stored (frozen, so unchanging) object's status as JSON, made once. */
function statusText(object: Readonly<KObject>): string | undefined {
  if (!statusTexts.has(object)) statusTexts.set(object, JSON.stringify(object.status));
  return statusTexts.get(object);
}

/** Each map's keys in order, kept until a key is added or removed (updates keep the order). */
const orders = new WeakMap<Map<string, unknown>, string[]>();

function sortedKeys(map: Map<string, unknown>): string[] {
  let keys = orders.get(map);
  if (keys === undefined) {
    keys = [...map.keys()].sort(byKey);
    orders.set(map, keys);
  }
  return keys;
}

/** Whether a replacement equals what is stored, but for its version and managed fields. */
function sameContent(next: KObject, current: KObject): boolean {
  const bare = (object: KObject) => {
    const { resourceVersion: _v, managedFields: _m, ...metadata } = object.metadata;
    return canonical({ ...object, metadata });
  };
  return bare(next) === bare(current);
}

/** Byte order, as etcd orders its keys. */
function byKey(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function deepFreeze<T>(value: T): T {
  if (typeof value !== 'object' || value === null || Object.isFrozen(value)) return value;
  for (const inner of Object.values(value)) deepFreeze(inner);
  return Object.freeze(value);
}

function specOf(object: KObject): unknown {
  const { metadata: _m, status: _s, apiVersion: _a, kind: _k, ...rest } = object;
  return rest;
}

function checkName(type: ResourceType, name: string): void {
  // Namespaces are DNS labels (no dots); everything else a DNS subdomain, dot-separated labels.
  if (type.kind === 'Namespace' && !/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/.test(name)) {
    throw new ApiError(
      422,
      'Invalid',
      `${type.kind} "${name}" is invalid: metadata.name: Invalid value: "${name}": a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')`,
    );
  }
  // RBAC objects need only be a path segment (`system:discovery`), as the RBAC validation asks.
  if (type.group === 'rbac.authorization.k8s.io') {
    const problem =
      name === '.' || name === '..'
        ? `may not be '${name}'`
        : ['/', '%'].filter((c) => name.includes(c)).map((c) => `may not contain '${c}'`)[0];
    if (problem === undefined) return;
    throw new ApiError(
      422,
      'Invalid',
      `${type.kind}.${type.group} "${name}" is invalid: metadata.name: Invalid value: "${name}": ${problem}`,
    );
  }
  const subdomain = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
  if (name.length > 253 || !subdomain.test(name)) {
    throw new ApiError(
      422,
      'Invalid',
      `${type.kind} "${name}" is invalid: metadata.name: Invalid value: "${name}": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character`,
    );
  }
}

/** Managed fields for a write; an apply has worked out its own (server-side-apply.ts). */
function recordManager(
  previous: KObject | undefined,
  object: KObject,
  options: WriteOptions,
  now: Date,
): void {
  if (options.operation === 'Apply') return;
  const entries = recordUpdate(previous, object, options.fieldManager, now);
  if (entries.length > 0) object.metadata.managedFields = entries;
  else delete object.metadata.managedFields;
}
