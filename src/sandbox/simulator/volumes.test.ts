import { describe, expect, it } from 'vitest';
import { findResource, type ResourceType } from '../api/catalog.ts';
import { type KObject, ObjectStore } from '../api/store.ts';
import { EventRecorder } from './events.ts';
import { VolumeControllers, volumeProblem } from './volumes.ts';

const CLAIMS = findResource('', 'v1', 'persistentvolumeclaims') as ResourceType;
const VOLUMES = findResource('', 'v1', 'persistentvolumes') as ResourceType;
const CLASSES = findResource('storage.k8s.io', 'v1', 'storageclasses') as ResourceType;
const EVENTS = findResource('', 'v1', 'events') as ResourceType;
const PODS = findResource('', 'v1', 'pods') as ResourceType;

function claim(name: string, storageClassName?: string): KObject {
  return {
    apiVersion: 'v1',
    kind: 'PersistentVolumeClaim',
    metadata: { name, namespace: 'db' },
    spec: {
      accessModes: ['ReadWriteOnce'],
      resources: { requests: { storage: '3Gi' } },
      ...(storageClassName === undefined ? {} : { storageClassName }),
    },
    status: { phase: 'Pending' },
  };
}

function storageClass(name: string, mode: string): KObject {
  return {
    apiVersion: 'storage.k8s.io/v1',
    kind: 'StorageClass',
    metadata: { name },
    provisioner: 'ebs.csi.aws.com',
    volumeBindingMode: mode,
  };
}

function consumer(claimName: string): KObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'user', namespace: 'db' },
    spec: {
      containers: [{ name: 'app', image: 'x' }],
      volumes: [{ name: 'd', persistentVolumeClaim: { claimName } }],
    },
  };
}

const NAMESPACES = findResource('', 'v1', 'namespaces') as ResourceType;

function world() {
  const store = new ObjectStore();
  store.create(NAMESPACES, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'db' } });
  const controllers = new VolumeControllers(store, new EventRecorder(store));
  const reasons = () => store.list(EVENTS, 'db').map((e) => `${e.reason}: ${e.message}`);
  return { store, controllers, reasons };
}

describe('the persistent volume controller', () => {
  it('provisions and binds a claim of an immediate class', () => {
    const { store, controllers } = world();
    store.create(CLASSES, storageClass('fast', 'Immediate'));
    const created = store.create(CLAIMS, claim('data', 'fast'));

    controllers.reconcile();

    const bound = store.get(CLAIMS, 'db', 'data');
    const volume = store.get(VOLUMES, undefined, `pvc-${created.metadata.uid}`);
    expect(bound?.status).toEqual({
      phase: 'Bound',
      accessModes: ['ReadWriteOnce'],
      capacity: { storage: '3Gi' },
    });
    expect((bound?.spec as { volumeName?: string } | undefined)?.volumeName).toBe(
      volume?.metadata.name,
    );
    expect(volume?.status).toEqual({ phase: 'Bound' });
    expect(volume?.metadata.annotations?.['pv.kubernetes.io/provisioned-by']).toBe(
      'ebs.csi.aws.com',
    );
  });

  it('waits for a first consumer, then binds', () => {
    const { store, controllers, reasons } = world();
    store.create(CLASSES, storageClass('standard', 'WaitForFirstConsumer'));
    store.create(CLAIMS, claim('data', 'standard'));

    controllers.reconcile();
    const waiting = store.get(CLAIMS, 'db', 'data')?.status;
    store.create(PODS, consumer('data'));
    controllers.reconcile();

    expect(waiting).toEqual({ phase: 'Pending' });
    expect(reasons()).toContain(
      'WaitForFirstConsumer: waiting for first consumer to be created before binding',
    );
    expect(store.get(CLAIMS, 'db', 'data')?.status).toMatchObject({ phase: 'Bound' });
  });

  it('tells a claim with no class that nothing can bind it, once per resync rather than every pass', () => {
    const { store, controllers, reasons } = world();
    store.create(CLAIMS, claim('data'));

    controllers.reconcile();
    const version = store.resourceVersion;
    controllers.reconcile();

    expect(reasons()).toEqual([
      'FailedBinding: no persistent volumes available for this claim and no storage class is set',
    ]);
    expect(store.resourceVersion).toBe(version);
  });

  it('explains in the scheduler’s words why a pod waits for its claims', () => {
    const { store } = world();
    store.create(CLAIMS, claim('data'));

    const unbound = volumeProblem(store, consumer('data'), 3);
    const missing = volumeProblem(store, consumer('nope'), 3);

    expect(unbound).toBe(
      '0/3 nodes are available: pod has unbound immediate PersistentVolumeClaims. preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling.',
    );
    expect(missing).toContain('0/3 nodes are available: persistentvolumeclaim "nope" not found.');
  });
});
