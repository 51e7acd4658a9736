import { describe, expect, it } from 'vitest';
import { findResource, type ResourceType } from './catalog.ts';
import { deleteObject, propagationOf, releaseIfDone } from './delete.ts';
import { ApiError, ObjectStore } from './store.ts';

const CONFIG_MAPS = findResource('', 'v1', 'configmaps') as ResourceType;
const NAMESPACES = findResource('', 'v1', 'namespaces') as ResourceType;

function configMap(name: string, extra: Record<string, unknown> = {}) {
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name, namespace: 'default', ...extra },
  };
}

describe('deleting an object', () => {
  it('reads the propagation policy, orphaning with the old orphanDependents flag', () => {
    expect(propagationOf({})).toBe('Background');
    expect(propagationOf({ orphanDependents: true })).toBe('Orphan');
    expect(propagationOf({ propagationPolicy: 'Foreground' })).toBe('Foreground');
    expect(() => propagationOf({ propagationPolicy: 'Sideways' })).toThrow(ApiError);
  });

  it('only marks an object that has finalizers, and removes it once they are gone', () => {
    const store = new ObjectStore();
    const held = store.create(CONFIG_MAPS, configMap('held', { finalizers: ['example.com/x'] }));

    const marked = deleteObject(store, CONFIG_MAPS, held, {}, false);

    expect(marked.metadata.deletionTimestamp).toBeDefined();
    expect(marked.metadata.deletionGracePeriodSeconds).toBe(0);
    expect(releaseIfDone(store, CONFIG_MAPS, marked)).toBe(false);
    const released = store.replace(CONFIG_MAPS, {
      ...marked,
      metadata: { ...marked.metadata, finalizers: [] },
    });
    expect(releaseIfDone(store, CONFIG_MAPS, released)).toBe(true);
    expect(store.get(CONFIG_MAPS, 'default', 'held')).toBeUndefined();
  });

  it('gives a foreground deletion the foregroundDeletion finalizer', () => {
    const store = new ObjectStore();
    const plain = store.create(CONFIG_MAPS, configMap('plain'));

    const marked = deleteObject(
      store,
      CONFIG_MAPS,
      plain,
      { propagationPolicy: 'Foreground' },
      false,
    );

    expect(marked.metadata.finalizers).toEqual(['foregroundDeletion']);
  });

  it('takes the owner reference off the dependents of an orphaning delete', () => {
    const store = new ObjectStore();
    const owner = store.create(CONFIG_MAPS, configMap('owner'));
    const ref = {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      name: 'owner',
      uid: owner.metadata.uid ?? '',
    };
    store.create(CONFIG_MAPS, configMap('child', { ownerReferences: [ref] }));

    deleteObject(store, CONFIG_MAPS, owner, { propagationPolicy: 'Orphan' }, false);

    expect(store.get(CONFIG_MAPS, 'default', 'owner')).toBeUndefined();
    expect(store.get(CONFIG_MAPS, 'default', 'child')?.metadata.ownerReferences).toBeUndefined();
  });

  it('turns a namespace Terminating with its kubernetes finalizer', () => {
    const store = new ObjectStore();
    const ns = store.create(NAMESPACES, {
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name: 'x' },
    });

    const marked = deleteObject(store, NAMESPACES, ns, {}, false);

    expect(marked.status).toEqual({ phase: 'Terminating' });
    expect(marked.spec).toEqual({ finalizers: ['kubernetes'] });
    expect(store.get(NAMESPACES, undefined, 'x')).toBeDefined();
  });
});
