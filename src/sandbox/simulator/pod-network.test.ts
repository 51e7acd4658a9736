import { describe, expect, it } from 'vitest';
import { findResource, type ResourceType } from '../api/catalog.ts';
import { type KObject, ObjectStore } from '../api/store.ts';
import { allocatePodCIDRs, podIPFor } from './pod-network.ts';

const NODES = findResource('', 'v1', 'nodes') as ResourceType;
const PODS = findResource('', 'v1', 'pods') as ResourceType;

function node(name: string, podCIDR?: string): KObject {
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name },
    spec: podCIDR === undefined ? {} : { podCIDR, podCIDRs: [podCIDR] },
  };
}

function pod(name: string, nodeName: string, extra: Record<string, unknown> = {}): KObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: 'default' },
    spec: { nodeName, containers: [{ name: 'c', image: 'nginx' }], ...extra },
  };
}

describe('allocatePodCIDRs', () => {
  it('gives a node without a range the lowest free /24', () => {
    const store = new ObjectStore();
    store.create(NODES, node('a', '10.244.0.0/24'));
    store.create(NODES, node('b'));
    store.create(NODES, node('c', '10.244.1.0/24'));

    allocatePodCIDRs(store);

    expect(store.get(NODES, undefined, 'b')?.spec).toEqual({
      podCIDR: '10.244.2.0/24',
      podCIDRs: ['10.244.2.0/24'],
    });
  });
});

describe('podIPFor', () => {
  it("hands out the first free address of the node's range, distinct per pod", () => {
    const store = new ObjectStore();
    store.create(NODES, node('a', '10.244.3.0/24'));
    const first = store.create(PODS, pod('one', 'a'));
    store.writeStatus(PODS, { ...first, status: { podIP: podIPFor(store, first, '172.18.0.2') } });
    const second = store.create(PODS, pod('two', 'a'));

    const ip = podIPFor(store, second, '172.18.0.2');

    expect(store.get(PODS, 'default', 'one')?.status).toEqual({ podIP: '10.244.3.2' });
    expect(ip).toBe('10.244.3.3');
  });

  it("keeps a pod's address once it has one", () => {
    const store = new ObjectStore();
    store.create(NODES, node('a', '10.244.3.0/24'));
    const created = store.create(PODS, { ...pod('one', 'a'), status: { podIP: '10.244.3.9' } });

    expect(podIPFor(store, created, '172.18.0.2')).toBe('10.244.3.9');
  });

  it("gives a host-network pod its node's address", () => {
    const store = new ObjectStore();
    store.create(NODES, node('a', '10.244.3.0/24'));
    const created = store.create(PODS, pod('one', 'a', { hostNetwork: true }));

    expect(podIPFor(store, created, '172.18.0.2')).toBe('172.18.0.2');
  });
});
