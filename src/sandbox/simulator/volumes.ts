import { randomUUID } from 'node:crypto';
import { parseMemory } from '../../shared/quantity.ts';
import { findResource, type ResourceType } from '../api/catalog.ts';
import type { KObject, ObjectStore } from '../api/store.ts';
import type { EventRecorder } from './events.ts';

/**
 * The persistent volume controller with a dynamic provisioner behind every StorageClass: a claim
 * binds to a matching Available volume, or its class's provisioner makes one (`pvc-<uid>`) at
 * once, or when its first consumer appears for `WaitForFirstConsumer`; a claim with no class
 * and no volume stays Pending, as do claims whose class does not exist. A released volume is
 * deleted or kept by its reclaim policy.
 */
const CLAIMS = findResource('', 'v1', 'persistentvolumeclaims') as ResourceType;
const VOLUMES = findResource('', 'v1', 'persistentvolumes') as ResourceType;
const CLASSES = findResource('storage.k8s.io', 'v1', 'storageclasses') as ResourceType;
const PODS = findResource('', 'v1', 'pods') as ResourceType;

const CONTROLLER = { component: 'persistentvolume-controller' };
const RESYNC_MS = 15_000;

type ClaimSpec = {
  storageClassName?: string;
  volumeName?: string;
  accessModes?: string[];
  resources?: { requests?: { storage?: string } };
  volumeMode?: string;
};
type VolumeSpec = {
  storageClassName?: string;
  accessModes?: string[];
  capacity?: { storage?: string };
  claimRef?: { name?: string; namespace?: string; uid?: string };
  persistentVolumeReclaimPolicy?: string;
};
type ClassFields = { provisioner?: string; reclaimPolicy?: string; volumeBindingMode?: string };
type PodVolumes = { volumes?: { persistentVolumeClaim?: { claimName?: string } }[] };

export class VolumeControllers {
  readonly #store: ObjectStore;
  readonly #events: EventRecorder;
  /** One provisioner instance per provisioner name, as its events' source says. */
  readonly #instances = new Map<string, string>();
  /** When each claim's waiting event was last told: the controller's resync, not every pass. */
  readonly #told = new Map<string, number>();

  constructor(store: ObjectStore, events: EventRecorder) {
    this.#store = store;
    this.#events = events;
  }

  reconcile(): void {
    const claims = this.#store.view(CLAIMS);
    const pods = claims.length === 0 ? [] : this.#store.view(PODS);
    for (const claim of claims) {
      if (claim.metadata.deletionTimestamp === undefined) this.#claim(claim, pods);
    }
    this.#volumes();
  }

  #claim(claim: KObject, pods: readonly KObject[]): void {
    const spec = (claim.spec ?? {}) as ClaimSpec;
    if ((claim.status as { phase?: string } | undefined)?.phase === 'Bound') return;
    const className = spec.storageClassName ?? '';
    const available = this.#store
      .view(VOLUMES)
      .find((pv) => matches(pv, spec, className, claim.metadata.uid));
    if (available !== undefined) {
      this.#bind(claim, available);
      return;
    }
    if (className === '') {
      this.#waiting(
        claim,
        'Normal',
        'FailedBinding',
        'no persistent volumes available for this claim and no storage class is set',
      );
      return;
    }
    const storageClass = this.#store.get(CLASSES, undefined, className);
    if (storageClass === undefined) {
      this.#waiting(
        claim,
        'Warning',
        'ProvisioningFailed',
        `storageclass.storage.k8s.io "${className}" not found`,
      );
      return;
    }
    const fields = storageClass as unknown as ClassFields;
    if (fields.volumeBindingMode === 'WaitForFirstConsumer' && !hasConsumer(claim, pods)) {
      this.#waiting(
        claim,
        'Normal',
        'WaitForFirstConsumer',
        'waiting for first consumer to be created before binding',
      );
      return;
    }
    this.#provision(claim, fields);
  }

  /** What an external CSI provisioner does: a volume of the claim's size, bound to it. */
  #provision(claim: KObject, storageClass: ClassFields): void {
    const spec = (claim.spec ?? {}) as ClaimSpec;
    const provisioner = storageClass.provisioner ?? 'kubernetes.io/no-provisioner';
    const namespace = claim.metadata.namespace ?? 'default';
    this.#events.record(
      claim,
      'Normal',
      'ExternalProvisioning',
      `Waiting for a volume to be created either by the external provisioner '${provisioner}' or manually by the system administrator. If volume creation is delayed, please verify that the provisioner is running and correctly registered.`,
      CONTROLLER,
    );
    const source = { component: this.#instance(provisioner) };
    this.#events.record(
      claim,
      'Normal',
      'Provisioning',
      `External provisioner is provisioning volume for claim "${namespace}/${claim.metadata.name}"`,
      source,
    );
    const name = `pvc-${claim.metadata.uid}`;
    const volume = this.#store.create(VOLUMES, {
      apiVersion: 'v1',
      kind: 'PersistentVolume',
      metadata: { name, annotations: { 'pv.kubernetes.io/provisioned-by': provisioner } },
      spec: {
        accessModes: spec.accessModes ?? ['ReadWriteOnce'],
        capacity: { storage: spec.resources?.requests?.storage ?? '1Gi' },
        claimRef: claimRef(claim),
        persistentVolumeReclaimPolicy: storageClass.reclaimPolicy ?? 'Delete',
        storageClassName: spec.storageClassName,
        volumeMode: spec.volumeMode ?? 'Filesystem',
        ...backing(provisioner, name, claim),
      },
      status: { phase: 'Pending' },
    });
    this.#events.record(
      claim,
      'Normal',
      'ProvisioningSucceeded',
      `Successfully provisioned volume ${name}`,
      source,
    );
    this.#bind(claim, volume, provisioner);
  }

  #bind(claim: KObject, volume: KObject, provisioner?: string): void {
    const pvSpec = (volume.spec ?? {}) as VolumeSpec;
    const bound = this.#store.replace(VOLUMES, {
      ...volume,
      metadata: {
        ...volume.metadata,
        annotations: {
          ...(volume.metadata.annotations ?? {}),
          'pv.kubernetes.io/bound-by-controller': 'yes',
        },
      },
      spec: { ...pvSpec, claimRef: claimRef(claim) },
    });
    this.#store.writeStatus(VOLUMES, { ...bound, status: { phase: 'Bound' } });
    const annotations: Record<string, string> = {
      ...(claim.metadata.annotations ?? {}),
      'pv.kubernetes.io/bind-completed': 'yes',
      'pv.kubernetes.io/bound-by-controller': 'yes',
    };
    if (provisioner !== undefined) {
      annotations['volume.beta.kubernetes.io/storage-provisioner'] = provisioner;
      annotations['volume.kubernetes.io/storage-provisioner'] = provisioner;
    }
    const updated = this.#store.replace(CLAIMS, {
      ...claim,
      metadata: { ...claim.metadata, annotations },
      spec: { ...(claim.spec as object), volumeName: volume.metadata.name },
    });
    this.#store.writeStatus(CLAIMS, {
      ...updated,
      status: {
        phase: 'Bound',
        accessModes: pvSpec.accessModes ?? [],
        capacity: { ...(pvSpec.capacity ?? {}) },
      },
    });
  }

  /** Volumes with no claim become Available; a deleted claim's volume is reclaimed. */
  #volumes(): void {
    for (const volume of this.#store.view(VOLUMES)) {
      const spec = (volume.spec ?? {}) as VolumeSpec;
      const phase = (volume.status as { phase?: string } | undefined)?.phase;
      const ref = spec.claimRef;
      if (ref === undefined) {
        if (phase !== 'Available')
          this.#store.writeStatus(VOLUMES, { ...volume, status: { phase: 'Available' } });
        continue;
      }
      const claim = this.#store.get(CLAIMS, ref.namespace, ref.name ?? '');
      if (claim !== undefined && (ref.uid === undefined || claim.metadata.uid === ref.uid))
        continue;
      if (phase !== 'Bound' && phase !== 'Released') continue;
      if (spec.persistentVolumeReclaimPolicy === 'Delete')
        this.#store.remove(VOLUMES, undefined, volume.metadata.name);
      else if (phase !== 'Released')
        this.#store.writeStatus(VOLUMES, { ...volume, status: { phase: 'Released' } });
    }
  }

  /** A claim's waiting event, repeated at the controller's 15 s resync while it still waits. */
  #waiting(claim: KObject, type: 'Normal' | 'Warning', reason: string, message: string): void {
    const key = `${claim.metadata.uid}/${reason}`;
    const now = this.#store.now().getTime();
    if (now - (this.#told.get(key) ?? Number.NEGATIVE_INFINITY) < RESYNC_MS) return;
    if (this.#told.size > 10_000) this.#told.clear();
    this.#told.set(key, now);
    this.#events.record(claim, type, reason, message, CONTROLLER);
  }

  #instance(provisioner: string): string {
    let name = this.#instances.get(provisioner);
    if (name === undefined) {
      const pod =
        provisioner === 'rancher.io/local-path'
          ? 'local-path-provisioner-7577fdbbfb-t6xnb'
          : 'csi-provisioner-0';
      name = `${provisioner}_${pod}_${randomUUID()}`;
      this.#instances.set(provisioner, name);
    }
    return name;
  }
}

/**
 * Why no node can take a pod for its volumes, in the scheduler's words, or undefined: a claim
 * that does not exist, or one still unbound whose class binds immediately.
 */
export function volumeProblem(store: ObjectStore, pod: KObject, nodes: number): string | undefined {
  const namespace = pod.metadata.namespace;
  let reason: string | undefined;
  for (const volume of (pod.spec as PodVolumes | undefined)?.volumes ?? []) {
    const name = volume.persistentVolumeClaim?.claimName;
    if (name === undefined) continue;
    const claim = store.get(CLAIMS, namespace, name);
    if (claim === undefined) {
      reason = `persistentvolumeclaim "${name}" not found`;
      break;
    }
    if ((claim.status as { phase?: string } | undefined)?.phase === 'Bound') continue;
    const className = (claim.spec as ClaimSpec | undefined)?.storageClassName ?? '';
    const mode = (store.get(CLASSES, undefined, className) as ClassFields | undefined)
      ?.volumeBindingMode;
    if (mode !== 'WaitForFirstConsumer')
      reason = 'pod has unbound immediate PersistentVolumeClaims';
  }
  if (reason === undefined) return undefined;
  return `0/${nodes} nodes are available: ${reason}. preemption: 0/${nodes} nodes are available: ${nodes} Preemption is not helpful for scheduling.`;
}

function hasConsumer(claim: KObject, pods: readonly KObject[]): boolean {
  return pods.some(
    (pod) =>
      pod.metadata.namespace === claim.metadata.namespace &&
      pod.metadata.deletionTimestamp === undefined &&
      ((pod.spec as PodVolumes | undefined)?.volumes ?? []).some(
        (v) => v.persistentVolumeClaim?.claimName === claim.metadata.name,
      ),
  );
}

/** An Available volume of the claim's class, access modes and at least its size. */
function matches(
  pv: KObject,
  claim: ClaimSpec,
  className: string,
  uid: string | undefined,
): boolean {
  const spec = (pv.spec ?? {}) as VolumeSpec;
  const phase = (pv.status as { phase?: string } | undefined)?.phase;
  if (claim.volumeName !== undefined) return pv.metadata.name === claim.volumeName;
  if (spec.claimRef !== undefined) return spec.claimRef.uid === uid;
  if (phase !== 'Available' || (spec.storageClassName ?? '') !== className) return false;
  const modes = spec.accessModes ?? [];
  if (!(claim.accessModes ?? []).every((m) => modes.includes(m))) return false;
  const want = parseMemory(claim.resources?.requests?.storage ?? '0') ?? 0;
  return (parseMemory(spec.capacity?.storage ?? '0') ?? 0) >= want;
}

function claimRef(claim: KObject) {
  return {
    apiVersion: 'v1',
    kind: 'PersistentVolumeClaim',
    name: claim.metadata.name,
    namespace: claim.metadata.namespace ?? 'default',
    uid: claim.metadata.uid ?? '',
    resourceVersion: claim.metadata.resourceVersion ?? '',
  };
}

/** Where the data lives: a host directory for kind's local-path provisioner, a CSI volume otherwise. */
function backing(provisioner: string, name: string, claim: KObject): Record<string, unknown> {
  if (provisioner === 'rancher.io/local-path') {
    return {
      hostPath: {
        path: `/var/local-path-provisioner/${name}_${claim.metadata.namespace}_${claim.metadata.name}`,
        type: 'DirectoryOrCreate',
      },
    };
  }
  return { csi: { driver: provisioner, volumeHandle: randomUUID(), fsType: 'ext4' } };
}
