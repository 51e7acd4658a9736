import { describe, expect, it } from 'vitest';
import { findResource, type ResourceType } from '../api/catalog.ts';
import { deleteObject } from '../api/delete.ts';
import { type KObject, ObjectStore } from '../api/store.ts';
import { GarbageCollector } from './garbage-collector.ts';

const CONFIG_MAPS = findResource('', 'v1', 'configmaps') as ResourceType;

function configMap(name: string, owner?: KObject, block = false): KObject {
  const ownerReferences =
    owner === undefined
      ? undefined
      : [
          {
            apiVersion: 'v1',
            kind: 'ConfigMap',
            name: owner.metadata.name,
            uid: owner.metadata.uid ?? '',
            blockOwnerDeletion: block,
          },
        ];
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name, namespace: 'default', ...(ownerReferences ? { ownerReferences } : {}) },
  };
}

describe('the garbage collector', () => {
  it('deletes the dependents of an owner deleted in the background', () => {
    const store = new ObjectStore();
    const collector = new GarbageCollector(store);
    const owner = store.create(CONFIG_MAPS, configMap('owner'));
    store.create(CONFIG_MAPS, configMap('child', owner));

    deleteObject(store, CONFIG_MAPS, owner, {}, false);
    expect(store.get(CONFIG_MAPS, 'default', 'child')).toBeDefined();
    collector.reconcile();

    expect(store.get(CONFIG_MAPS, 'default', 'child')).toBeUndefined();
  });

  it('keeps a foreground owner until its blocking dependents are gone', () => {
    const store = new ObjectStore();
    const collector = new GarbageCollector(store);
    const owner = store.create(CONFIG_MAPS, configMap('owner'));
    const child = store.create(CONFIG_MAPS, configMap('child', owner, true));
    store.replace(CONFIG_MAPS, {
      ...child,
      metadata: { ...child.metadata, finalizers: ['example.com/slow'] },
    });

    deleteObject(store, CONFIG_MAPS, owner, { propagationPolicy: 'Foreground' }, false);
    collector.reconcile();

    expect(store.get(CONFIG_MAPS, 'default', 'owner')?.metadata.finalizers).toEqual([
      'foregroundDeletion',
    ]);
    const marked = store.mustGet(CONFIG_MAPS, 'default', 'child');
    expect(marked.metadata.deletionTimestamp).toBeDefined();
    store.replace(CONFIG_MAPS, { ...marked, metadata: { ...marked.metadata, finalizers: [] } });
    store.removeOnly(CONFIG_MAPS, 'default', 'child');
    collector.reconcile();

    expect(store.get(CONFIG_MAPS, 'default', 'owner')).toBeUndefined();
  });
});
