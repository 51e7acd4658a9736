import { describe, expect, it } from 'vitest';
import { findResource, type ResourceType } from '../api/catalog.ts';
import { type KObject, ObjectStore } from '../api/store.ts';
import { EndpointControllers } from './endpoints.ts';

const SERVICES = findResource('', 'v1', 'services') as ResourceType;
const PODS = findResource('', 'v1', 'pods') as ResourceType;
const ENDPOINTS = findResource('', 'v1', 'endpoints') as ResourceType;

function pod(name: string, ip: string, ready: boolean, extra: Partial<KObject> = {}): KObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: 'shop', labels: { app: 'web' } },
    spec: {
      nodeName: 'sandbox-worker',
      containers: [{ name: 'app', ports: [{ name: 'http', containerPort: 8080 }] }],
    },
    status: {
      phase: 'Running',
      podIP: ip,
      conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }],
    },
    ...extra,
  };
}

function world(): { store: ObjectStore; controllers: EndpointControllers } {
  const store = new ObjectStore();
  store.create(SERVICES, {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'web', namespace: 'shop' },
    spec: { selector: { app: 'web' }, ports: [{ name: 'http', port: 80, targetPort: 'http' }] },
  });
  return { store, controllers: new EndpointControllers(store) };
}

describe('the endpoints controller', () => {
  it('splits ready and not-ready pods and resolves named target ports', () => {
    const { store, controllers } = world();
    store.create(PODS, pod('a', '10.244.1.2', true));
    store.create(PODS, pod('b', '10.244.1.3', false));
    store.create(PODS, { ...pod('pending', '', false), status: { phase: 'Pending' } });

    controllers.reconcile();

    const endpoints = store.get(ENDPOINTS, 'shop', 'web');
    expect(endpoints?.subsets).toEqual([
      {
        addresses: [
          {
            ip: '10.244.1.2',
            nodeName: 'sandbox-worker',
            targetRef: { kind: 'Pod', namespace: 'shop', name: 'a', uid: expect.any(String) },
          },
        ],
        notReadyAddresses: [
          {
            ip: '10.244.1.3',
            nodeName: 'sandbox-worker',
            targetRef: { kind: 'Pod', namespace: 'shop', name: 'b', uid: expect.any(String) },
          },
        ],
        ports: [{ name: 'http', port: 8080, protocol: 'TCP' }],
      },
    ]);
  });

  it('leaves terminating pods out of Endpoints but marks them terminating in the slice', () => {
    const { store, controllers } = world();
    const created = store.create(PODS, pod('a', '10.244.1.2', true));
    store.replace(PODS, {
      ...created,
      metadata: { ...created.metadata, deletionTimestamp: '2026-12-07T00:00:00Z' },
    });

    controllers.reconcile();

    const slices = store.list(
      findResource('discovery.k8s.io', 'v1', 'endpointslices') as ResourceType,
      'shop',
    );
    expect(store.get(ENDPOINTS, 'shop', 'web')?.subsets).toBeUndefined();
    expect(((slices[0]?.endpoints ?? []) as { conditions: unknown }[])[0]?.conditions).toEqual({
      ready: false,
      serving: true,
      terminating: true,
    });
  });

  it('writes nothing when nothing changed, and removes a deleted service’s Endpoints', () => {
    const { store, controllers } = world();
    store.create(PODS, pod('a', '10.244.1.2', true));
    controllers.reconcile();
    const version = store.resourceVersion;

    controllers.reconcile();
    const unchanged = store.resourceVersion;
    store.remove(SERVICES, 'shop', 'web');
    controllers.reconcile();

    expect(unchanged).toBe(version);
    expect(store.get(ENDPOINTS, 'shop', 'web')).toBeUndefined();
  });
});
