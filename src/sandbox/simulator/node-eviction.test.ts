import { describe, expect, it } from 'vitest';
import { findResource, type ResourceType } from '../api/catalog.ts';
import { type KObject, ObjectStore } from '../api/store.ts';
import { EvictionManager } from './node-eviction.ts';

const PODS = findResource('', 'v1', 'pods') as ResourceType;
const NODES = findResource('', 'v1', 'nodes') as ResourceType;
const MI = 2 ** 20;

function cluster(): ObjectStore {
  const store = new ObjectStore();
  store.create(NODES, {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name: 'worker' },
    status: { capacity: { memory: '4Gi' } },
  });
  return store;
}

function pod(store: ObjectStore, name: string, request: string): KObject {
  return store.create(PODS, {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: 'media' },
    spec: {
      nodeName: 'worker',
      containers: [{ name: 'app', image: 'x', resources: { requests: { memory: request } } }],
    },
    status: { phase: 'Running' },
  });
}

/** The system takes 900Mi; each pod uses what the table says. */
const usageOf = (table: Record<string, number>) => (p: KObject) => [
  { name: 'app', cpu: 0, memory: (table[p.metadata.name] ?? 0) * MI },
];

describe('the eviction manager', () => {
  it('evicts the pod most over its request once free memory falls below 100Mi, with the kubelet message', () => {
    const store = cluster();
    pod(store, 'small', '1Gi');
    pod(store, 'greedy', '256Mi');
    const manager = new EvictionManager();

    const [eviction, ...more] = manager.choose(store, usageOf({ small: 1100, greedy: 2024 }), 0);

    expect(more).toEqual([]);
    expect(eviction?.pod.metadata.name).toBe('greedy');
    expect(eviction?.message).toBe(
      'The node was low on resource: memory. Threshold quantity: 100Mi, available: 72Mi. Container app was using 2024Mi, request is 256Mi, has larger consumption of memory. ',
    );
    expect(manager.evicted(eviction?.pod.metadata.uid ?? '')).toBe(eviction?.message);
  });

  it('leaves a node with room alone, and evicts at most once a monitoring interval', () => {
    const store = cluster();
    pod(store, 'greedy', '256Mi');
    const manager = new EvictionManager();
    const roomy = usageOf({ greedy: 1000 });
    const tight = usageOf({ greedy: 3200 });

    expect(manager.choose(store, roomy, 0)).toEqual([]);
    expect(manager.choose(store, tight, 0)).toHaveLength(1);
    expect(manager.choose(store, tight, 5_000)).toEqual([]);
    expect(manager.choose(store, tight, 10_000)).toHaveLength(1);
  });

  it('holds the node under pressure for five minutes after an eviction', () => {
    const store = cluster();
    pod(store, 'greedy', '256Mi');
    const manager = new EvictionManager();

    manager.choose(store, usageOf({ greedy: 3200 }), 0);

    expect(manager.holdsPressure('worker', 299_000)).toBe(true);
    expect(manager.holdsPressure('worker', 300_000)).toBe(false);
    expect(manager.holdsPressure('other', 0)).toBe(false);
  });
});
