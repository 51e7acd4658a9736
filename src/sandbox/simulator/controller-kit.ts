import { findResource, type ResourceType } from '../api/catalog.ts';
import { applyDefaults } from '../api/defaults.ts';
import { statusOfNewPod } from '../api/pod-qos.ts';
import type { KObject, ObjectStore } from '../api/store.ts';
import { stamp } from './events.ts';

/**
 * What the workload controllers share: the resource types they handle, owner references, the
 * pods an owner made from its template, and the ways a controller makes and ends them.
 */
export function resourceType(group: string, version: string, plural: string): ResourceType {
  const found = findResource(group, version, plural);
  if (found === undefined) throw new Error(`the sandbox catalog lacks ${plural}`);
  return found;
}

export const PODS = resourceType('', 'v1', 'pods');

/** What every controller of the pass is given besides the store. */
export type ControllerContext = {
  /** Ready and not terminating, as availability counts it. */
  isAvailable(pod: KObject): boolean;
  /** Each running container's usage, as metrics.k8s.io serves it (millicores, bytes). */
  usage(pod: KObject): { name: string; cpu: number; memory: number }[];
};

export type Controller = {
  reconcile(context: ControllerContext): void;
  /** The earliest time something falls due, so that simulated time can stop there. */
  nextDeadline?(): number | undefined;
};

/** Runs one object's work; a failure is told, and the other objects go on. */
export type Guard = (where: string, work: () => void) => void;

export type PodTemplate = {
  metadata?: { labels?: Record<string, string>; annotations?: Record<string, string> };
  spec?: unknown;
};

export function ownerRef(owner: KObject) {
  return {
    apiVersion: owner.apiVersion,
    kind: owner.kind,
    name: owner.metadata.name,
    uid: owner.metadata.uid ?? '',
    controller: true,
    blockOwnerDeletion: true,
  };
}

/** The live pods `owner` controls (not those being deleted). */
export function podsOf(store: ObjectStore, owner: KObject): KObject[] {
  return ownedPods(store, owner).filter((pod) => pod.metadata.deletionTimestamp === undefined);
}

const owners = new WeakMap<ObjectStore, { version: string; byOwner: Map<string, KObject[]> }>();

/**
 * Every pod that names `owner` in its owner references, those being deleted too, in the owner's
 * namespace. The index is made once per change of the store, for every controller's sync.
 */
export function ownedPods(store: ObjectStore, owner: KObject): readonly KObject[] {
  const version = store.resourceVersion;
  let index = owners.get(store);
  if (index?.version !== version) {
    const byOwner = new Map<string, KObject[]>();
    for (const pod of store.view(PODS)) {
      const references = Array.isArray(pod.metadata.ownerReferences)
        ? pod.metadata.ownerReferences
        : [];
      for (const reference of references) {
        const uid = String(reference?.uid ?? '');
        const pods = byOwner.get(uid);
        if (pods === undefined) byOwner.set(uid, [pod]);
        else pods.push(pod);
      }
    }
    index = { version, byOwner };
    owners.set(store, index);
  }
  return (index.byOwner.get(owner.metadata.uid ?? '') ?? []).filter(
    (pod) => pod.metadata.namespace === owner.metadata.namespace,
  );
}

/** Creates a pod of `owner` from its template; `name` is exact, or a prefix ending in `-`. */
export function createPod(
  store: ObjectStore,
  owner: KObject,
  template: PodTemplate,
  name: { name: string } | { generateName: string },
  extra: { labels?: Record<string, string>; spec?: Record<string, unknown> } = {},
): KObject {
  return store.create(PODS, podFromTemplate(owner, template, name, extra));
}

/** A controller's new pod, defaulted, as it goes to admission and the store. */
export function podFromTemplate(
  owner: KObject,
  template: PodTemplate,
  name: { name: string } | { generateName: string },
  extra: { labels?: Record<string, string>; spec?: Record<string, unknown> } = {},
): KObject {
  const pod = applyDefaults({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: 'name' in name ? name.name : '',
      ...('generateName' in name ? { generateName: name.generateName } : {}),
      namespace: owner.metadata.namespace ?? 'default',
      labels: { ...(template.metadata?.labels ?? {}), ...(extra.labels ?? {}) },
      ...(template.metadata?.annotations === undefined
        ? {}
        : { annotations: { ...template.metadata.annotations } }),
      ownerReferences: [ownerRef(owner)],
    },
    spec: {
      restartPolicy: 'Always',
      terminationGracePeriodSeconds: 30,
      dnsPolicy: 'ClusterFirst',
      serviceAccountName: 'default',
      schedulerName: 'default-scheduler',
      ...structuredClone((template.spec ?? {}) as object),
      ...(extra.spec ?? {}),
    },
  });
  pod.status = statusOfNewPod(pod);
  return pod;
}

/** Starts a pod's graceful deletion, as a controller's delete does; the kubelet finishes it. */
export function deletePod(store: ObjectStore, pod: KObject): void {
  store.replace(PODS, {
    ...pod,
    metadata: {
      ...pod.metadata,
      deletionTimestamp: stamp(store.now()),
      deletionGracePeriodSeconds: 30,
    },
  });
}

export function phaseOf(pod: KObject): string {
  return (pod.status as { phase?: string } | undefined)?.phase ?? 'Pending';
}

export function isFinished(pod: KObject): boolean {
  const phase = phaseOf(pod);
  return phase === 'Succeeded' || phase === 'Failed';
}

export function podReady(pod: KObject): boolean {
  const conditions = (pod.status as { conditions?: { type: string; status: string }[] } | undefined)
    ?.conditions;
  return conditions?.some((c) => c.type === 'Ready' && c.status === 'True') === true;
}

export type Condition = {
  type: string;
  status: string;
  reason?: string;
  message?: string;
  lastProbeTime?: string | null;
  lastTransitionTime?: string;
  lastUpdateTime?: string;
};

/** `next`, keeping the transition time of the same condition when its status holds. */
export function keepTransition(
  next: Condition,
  previous: Condition[] | undefined,
  now: Date,
): Condition {
  const before = previous?.find((c) => c.type === next.type);
  const lastTransitionTime =
    before?.status === next.status && before.lastTransitionTime !== undefined
      ? before.lastTransitionTime
      : stamp(now);
  return { ...next, lastTransitionTime };
}
