import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { apiVersionOf, type ResourceType } from './catalog.ts';

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

export class ObjectStore {
  #objects = new Map<string, KObject>();
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
    const found = this.#objects.get(keyOf(type, namespace, name));
    return found === undefined ? undefined : structuredClone(found);
  }

  mustGet(type: ResourceType, namespace: string | undefined, name: string): KObject {
    const found = this.get(type, namespace, name);
    if (found === undefined) throw notFound(type, name);
    return found;
  }

  list(type: ResourceType, namespace?: string): KObject[] {
    const prefix = `${type.group}/${type.plural}/${namespace === undefined ? '' : `${namespace}/`}`;
    const out: KObject[] = [];
    for (const [key, object] of this.#objects) {
      if (key.startsWith(prefix)) out.push(structuredClone(object));
    }
    return out.sort((a, b) =>
      `${a.metadata.namespace ?? ''}/${a.metadata.name}`.localeCompare(
        `${b.metadata.namespace ?? ''}/${b.metadata.name}`,
      ),
    );
  }

  create(type: ResourceType, input: KObject, options: WriteOptions = {}): KObject {
    const object = structuredClone(input);
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
      meta.name = `${meta.generateName}${randomSuffix(5)}`;
    }
    checkName(type, meta.name);
    if (!type.namespaced) delete meta.namespace;
    const key = keyOf(type, meta.namespace, meta.name);
    if (this.#objects.has(key)) {
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
    recordManager(object, options, this.now());
    if (options.dryRun === true) return object;
    meta.resourceVersion = String(++this.#version);
    this.#objects.set(key, object);
    this.#emit(type, 'ADDED', object);
    return structuredClone(object);
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
    const object = structuredClone(input);
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
    recordManager(object, { operation: 'Update', ...options }, this.now());
    if (options.dryRun === true) {
      if (kept.resourceVersion !== undefined)
        object.metadata.resourceVersion = kept.resourceVersion;
      return object;
    }
    object.metadata.resourceVersion = String(++this.#version);
    this.#objects.set(keyOf(type, kept.namespace, kept.name), object);
    this.#emit(type, 'MODIFIED', object);
    return structuredClone(object);
  }

  /** Writes status as a controller would: no generation bump, no preconditions. */
  writeStatus(type: ResourceType, object: KObject): KObject {
    const key = keyOf(type, object.metadata.namespace, object.metadata.name);
    const current = this.#objects.get(key);
    if (current === undefined) throw notFound(type, object.metadata.name);
    if (JSON.stringify(current.status) === JSON.stringify(object.status)) return current;
    const next = { ...current, status: structuredClone(object.status) };
    next.metadata = { ...current.metadata, resourceVersion: String(++this.#version) };
    this.#objects.set(key, next);
    this.#emit(type, 'MODIFIED', next);
    return structuredClone(next);
  }

  /** Removes an object now; owners' dependents follow (background cascading deletion). */
  remove(type: ResourceType, namespace: string | undefined, name: string, dryRun = false): KObject {
    const current = this.mustGet(type, namespace, name);
    if (dryRun) return current;
    this.#objects.delete(keyOf(type, namespace, name));
    current.metadata.resourceVersion = String(++this.#version);
    this.#emit(type, 'DELETED', current);
    this.#collectDependents(current.metadata.uid);
    return current;
  }

  /**
   * Removes one object and nothing else: its dependents are left for the garbage collector (or
   * were orphaned), as when the API server deletes an object and the controllers follow.
   */
  removeOnly(type: ResourceType, namespace: string | undefined, name: string): KObject {
    const current = this.mustGet(type, namespace, name);
    this.#objects.delete(keyOf(type, namespace, name));
    current.metadata.resourceVersion = String(++this.#version);
    this.#emit(type, 'DELETED', current);
    return current;
  }

  /** Every stored object owned by `uid`, across resources. */
  dependentsOf(uid: string | undefined): { key: string; object: KObject }[] {
    if (uid === undefined) return [];
    const out: { key: string; object: KObject }[] = [];
    for (const [key, object] of this.#objects) {
      if (object.metadata.ownerReferences?.some((o) => o.uid === uid)) out.push({ key, object });
    }
    return out;
  }

  /** Changes after `since` for one resource, or undefined when the history no longer reaches it. */
  changesSince(type: ResourceType, since: number): WatchEvent[] | undefined {
    const oldest = this.#history[0]?.rv ?? this.#version + 1;
    if (since < oldest - 1 && since < this.#version) return undefined;
    return this.#history
      .filter((c) => c.rv > since && c.plural === type.plural && c.group === type.group)
      .map(({ type: kind, object }) => ({ type: kind, object: structuredClone(object) }));
  }

  onChange(listener: (group: string, plural: string, event: WatchEvent) => void): () => void {
    const handler = (change: Change) =>
      listener(change.group, change.plural, { type: change.type, object: change.object });
    this.#events.on('change', handler);
    return () => this.#events.off('change', handler);
  }

  #collectDependents(uid: string | undefined): void {
    for (const { key, object } of this.dependentsOf(uid)) {
      this.#objects.delete(key);
      object.metadata.resourceVersion = String(++this.#version);
      const [group = '', plural = ''] = key.split('/');
      this.#record(group, plural, 'DELETED', object);
      this.#collectDependents(object.metadata.uid);
    }
  }

  #emit(type: ResourceType, kind: WatchEvent['type'], object: KObject): void {
    this.#record(type.group, type.plural, kind, object);
  }

  #record(group: string, plural: string, type: WatchEvent['type'], object: KObject): void {
    const change: Change = {
      rv: this.#version,
      group,
      plural,
      type,
      object: structuredClone(object),
    };
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

function keyOf(type: ResourceType, namespace: string | undefined, name: string): string {
  return `${type.group}/${type.plural}/${type.namespaced ? `${namespace ?? ''}/` : ''}${name}`;
}

function specOf(object: KObject): unknown {
  const { metadata: _m, status: _s, apiVersion: _a, kind: _k, ...rest } = object;
  return rest;
}

function checkName(type: ResourceType, name: string): void {
  if (!/^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/.test(name)) {
    throw new ApiError(
      422,
      'Invalid',
      `${type.kind} "${name}" is invalid: metadata.name: Invalid value: "${name}": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character`,
    );
  }
}

function recordManager(object: KObject, options: WriteOptions, now: Date): void {
  if (options.fieldManager === undefined) return;
  const entry = {
    manager: options.fieldManager,
    operation: options.operation ?? 'Update',
    apiVersion: object.apiVersion,
    time: now.toISOString().replace(/\.\d+Z$/, 'Z'),
    fieldsType: 'FieldsV1',
  };
  const others = (object.metadata.managedFields ?? []).filter(
    (f) => (f as { manager?: string }).manager !== options.fieldManager,
  );
  object.metadata.managedFields = [...others, entry];
}
