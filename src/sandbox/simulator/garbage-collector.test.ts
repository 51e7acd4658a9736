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

  it('finishes a foreground deletion of two objects that own each other', () => {
    const store = new ObjectStore();
    const collector = new GarbageCollector(store);
    const first = store.create(CONFIG_MAPS, configMap('first'));
    const second = store.create(CONFIG_MAPS, configMap('second', first, true));
    const ownerReferences = configMap('first', second, true).metadata.ownerReferences ?? [];
    store.replace(CONFIG_MAPS, { ...first, metadata: { ...first.metadata, ownerReferences } });

    deleteObject(
      store,
      CONFIG_MAPS,
      store.mustGet(CONFIG_MAPS, 'default', 'first'),
      { propagationPolicy: 'Foreground' },
      false,
    );
    collector.reconcile();
    const unblocked = store.get(CONFIG_MAPS, 'default', 'second');
    for (let pass = 0; pass < 4; pass += 1) collector.reconcile();

    expect(unblocked?.metadata.ownerReferences?.[0]?.blockOwnerDeletion).toBe(false);
    expect(unblocked?.metadata.finalizers).toEqual(['foregroundDeletion']);
    expect(store.list(CONFIG_MAPS, 'default').map((o) => o.metadata.name)).toEqual([]);
  });

  it('keeps a dependent that has another owner, without its reference to the one going', () => {
    const store = new ObjectStore();
    const collector = new GarbageCollector(store);
    const going = store.create(CONFIG_MAPS, configMap('going'));
    const staying = store.create(CONFIG_MAPS, configMap('staying'));
    const shared = store.create(CONFIG_MAPS, configMap('shared', going, true));
    const refs = [
      ...(shared.metadata.ownerReferences ?? []),
      ...(configMap('x', staying).metadata.ownerReferences ?? []),
    ];
    store.replace(CONFIG_MAPS, {
      ...shared,
      metadata: { ...shared.metadata, ownerReferences: refs },
    });

    deleteObject(store, CONFIG_MAPS, going, { propagationPolicy: 'Foreground' }, false);
    collector.reconcile();
    collector.reconcile();

    const kept = store.get(CONFIG_MAPS, 'default', 'shared');
    expect(kept?.metadata.deletionTimestamp).toBeUndefined();
    expect(kept?.metadata.ownerReferences?.map((r) => r.name)).toEqual(['staying']);
    expect(store.get(CONFIG_MAPS, 'default', 'going')).toBeUndefined();
  });

  it('deletes a dependent whose only owner never existed, and drops a dangling reference beside a live owner', () => {
    const store = new ObjectStore();
    const collector = new GarbageCollector(store);
    const owner = store.create(CONFIG_MAPS, configMap('owner'));
    const ghost = { ...owner, metadata: { ...owner.metadata, name: 'ghost', uid: 'no-such-uid' } };
    store.create(CONFIG_MAPS, configMap('orphan', ghost));
    const both = configMap('both', owner);
    both.metadata.ownerReferences = [
      ...(both.metadata.ownerReferences ?? []),
      ...(configMap('x', ghost).metadata.ownerReferences ?? []),
    ];
    store.create(CONFIG_MAPS, both);
    store.create(CONFIG_MAPS, configMap('kept', owner));

    collector.reconcile();

    expect(store.get(CONFIG_MAPS, 'default', 'orphan')).toBeUndefined();
    expect(
      store.mustGet(CONFIG_MAPS, 'default', 'both').metadata.ownerReferences?.map((r) => r.name),
    ).toEqual(['owner']);
    expect(store.get(CONFIG_MAPS, 'default', 'kept')).toBeDefined();
  });

  it('deletes a dependent whose owner is in another namespace, as owners must share it', () => {
    const store = new ObjectStore();
    const collector = new GarbageCollector(store);
    const owner = store.create(CONFIG_MAPS, {
      ...configMap('owner'),
      metadata: { name: 'owner', namespace: 'elsewhere' },
    });
    store.create(CONFIG_MAPS, configMap('stray', owner));

    collector.reconcile();

    expect(store.get(CONFIG_MAPS, 'default', 'stray')).toBeUndefined();
  });
});
