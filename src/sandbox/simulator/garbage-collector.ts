import { findKind, type ResourceType } from '../api/catalog.ts';
import { deleteObject, dependentsWithTypes, FOREGROUND, releaseIfDone } from '../api/delete.ts';
import type { KObject, ObjectStore } from '../api/store.ts';

/**
 * The garbage collector: when an owner goes, its dependents that have no other owner left are
 * deleted (background cascading); an owner deleted in the foreground keeps its
 * `foregroundDeletion` finalizer until every dependent that blocks it is gone. It works from the
 * store's changes, so that a quiet cluster costs it nothing.
 */
type OwnerRef = { apiVersion: string; kind: string; name: string; uid: string };
type Waiting = { apiVersion: string; kind: string; namespace: string | undefined; name: string };

export class GarbageCollector {
  readonly #store: ObjectStore;
  /** Owners removed since the last pass, by uid. */
  readonly #gone = new Set<string>();
  /** Owners being deleted in the foreground, by uid. */
  readonly #waiting = new Map<string, Waiting>();
  /** Dependents whose owner references are new or changed, to check that each owner exists. */
  readonly #added = new Map<string, Waiting>();
  /** The owner references last seen on each dependent, so that an unchanged one is not checked. */
  readonly #seen = new Map<string, unknown>();

  constructor(store: ObjectStore) {
    this.#store = store;
    store.onChange((_group, _plural, event) => {
      const meta = event.object.metadata;
      if (meta.uid === undefined) return;
      if (event.type === 'DELETED') {
        this.#gone.add(meta.uid);
        this.#seen.delete(meta.uid);
        this.#added.delete(meta.uid);
        return;
      }
      if (meta.ownerReferences !== undefined && this.#seen.get(meta.uid) !== meta.ownerReferences) {
        this.#seen.set(meta.uid, meta.ownerReferences);
        this.#added.set(meta.uid, {
          apiVersion: event.object.apiVersion,
          kind: event.object.kind,
          namespace: meta.namespace,
          name: meta.name,
        });
      }
      if (meta.deletionTimestamp !== undefined && meta.finalizers?.includes(FOREGROUND))
        this.#waiting.set(meta.uid, {
          apiVersion: event.object.apiVersion,
          kind: event.object.kind,
          namespace: meta.namespace,
          name: meta.name,
        });
    });
  }

  reconcile(): void {
    const gone = [...this.#gone];
    this.#gone.clear();
    for (const uid of gone) this.#collect(uid);
    const added = [...this.#added];
    this.#added.clear();
    for (const [uid, at] of added) this.#checkOwners(uid, at);
    for (const [uid, waiting] of [...this.#waiting]) {
      if (this.#foreground(uid, waiting)) this.#waiting.delete(uid);
    }
  }

  /** The dependents of a removed owner: deleted when no owner of theirs is left. */
  #collect(uid: string): void {
    for (const { object, type } of dependentsWithTypes(this.#store, uid)) {
      const refs = object.metadata.ownerReferences ?? [];
      const live = refs.filter((ref) => this.#exists(ref, object.metadata.namespace));
      if (live.length === 0) {
        if (object.metadata.deletionTimestamp === undefined)
          deleteObject(this.#store, type, object, { propagationPolicy: 'Background' }, false);
      } else if (live.length < refs.length) {
        this.#store.replace(type, {
          ...object,
          metadata: { ...object.metadata, ownerReferences: live },
        });
      }
    }
  }

  /**
   * A dependent whose owners are all absent (never existed, another uid, or in another namespace)
   * is deleted, and references to absent owners are dropped while another owner stays, as the
   * real collector does with the virtual nodes it makes for owners it has not seen.
   */
  #checkOwners(uid: string, at: Waiting): void {
    const type = findKind(at.apiVersion, at.kind);
    if (type === undefined) return;
    const object = this.#store.get(type, at.namespace, at.name);
    if (object === undefined || object.metadata.uid !== uid) return;
    const refs = object.metadata.ownerReferences ?? [];
    if (refs.length === 0) return;
    const live = refs.filter((ref) => this.#exists(ref, object.metadata.namespace));
    if (live.length === refs.length) return;
    if (live.length > 0) {
      this.#store.replace(type, {
        ...object,
        metadata: { ...object.metadata, ownerReferences: live },
      });
    } else if (object.metadata.deletionTimestamp === undefined) {
      deleteObject(this.#store, type, object, { propagationPolicy: 'Background' }, false);
    }
  }

  /** One foreground deletion's step; true once it is over. */
  #foreground(uid: string, waiting: Waiting): boolean {
    const type = findKind(waiting.apiVersion, waiting.kind);
    if (type === undefined) return true;
    const owner = this.#store.get(type, waiting.namespace, waiting.name);
    if (owner?.metadata.uid !== uid || !owner.metadata.finalizers?.includes(FOREGROUND))
      return true;
    const dependents = dependentsWithTypes(this.#store, uid);
    for (const { object, type: depType } of dependents) {
      if (object.metadata.deletionTimestamp === undefined) this.#attemptToDelete(object, depType);
    }
    if (dependents.some(({ object }) => blocks(object, uid))) return false;
    const { finalizers: all = [], ...rest } = owner.metadata;
    const finalizers = all.filter((f) => f !== FOREGROUND);
    const metadata = finalizers.length === 0 ? rest : { ...rest, finalizers };
    const written = this.#store.replace(type, { ...owner, metadata });
    releaseIfDone(this.#store, type, written);
    return true;
  }

  /**
   * A dependent of an owner deleted in the foreground, as the real collector's
   * attemptToDeleteItem treats it: kept, without its references to owners that are going, while
   * another owner stays; deleted in the foreground when it has dependents of its own; and when one
   * of those is itself waiting for its dependents (owners in a cycle), its references are made
   * non-blocking first, or the two would wait for each other for ever.
   */
  #attemptToDelete(object: KObject, type: ResourceType): void {
    const namespace = object.metadata.namespace;
    const refs = object.metadata.ownerReferences ?? [];
    const solid = refs.filter(
      (ref) => this.#exists(ref, namespace) && !this.#deleting(ref, namespace),
    );
    if (solid.length > 0) {
      if (solid.length < refs.length)
        this.#store.replace(type, {
          ...object,
          metadata: { ...object.metadata, ownerReferences: solid },
        });
      return;
    }
    const own = this.#store.dependentsOf(object.metadata.uid);
    if (own.length === 0) {
      deleteObject(this.#store, type, object, { propagationPolicy: 'Background' }, false);
      return;
    }
    let target = object;
    if (own.some(({ object: dep }) => deletingDependents(dep)))
      target = this.#store.replace(type, {
        ...object,
        metadata: {
          ...object.metadata,
          ownerReferences: refs.map((ref) => ({ ...ref, blockOwnerDeletion: false })),
        },
      });
    deleteObject(this.#store, type, target, { propagationPolicy: 'Foreground' }, false);
  }

  /** Whether an owner is itself being deleted in the foreground, waiting for its dependents. */
  #deleting(ref: OwnerRef, namespace: string | undefined): boolean {
    const type = findKind(ref.apiVersion, ref.kind);
    if (type === undefined) return false;
    const owner = this.#store.get(type, type.namespaced ? namespace : undefined, ref.name);
    return owner !== undefined && deletingDependents(owner);
  }

  #exists(ref: OwnerRef, namespace: string | undefined): boolean {
    const type = findKind(ref.apiVersion, ref.kind);
    // An owner of a kind the sandbox does not serve is taken to exist: nothing is collected.
    if (type === undefined) return true;
    const owner = this.#store.get(type, type.namespaced ? namespace : undefined, ref.name);
    return owner?.metadata.uid === ref.uid;
  }
}

function deletingDependents(object: Readonly<KObject>): boolean {
  return (
    object.metadata.deletionTimestamp !== undefined &&
    object.metadata.finalizers?.includes(FOREGROUND) === true
  );
}

function blocks(dependent: KObject, ownerUid: string): boolean {
  return (
    dependent.metadata.ownerReferences?.some(
      (r) => r.uid === ownerUid && r.blockOwnerDeletion === true,
    ) === true
  );
}
