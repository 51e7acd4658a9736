import { shortHash } from '../api/hash.ts';
import type { KObject, ObjectStore } from '../api/store.ts';
import {
  type Controller,
  type ControllerContext,
  createPod,
  deletePod,
  ownedPods,
  type PodTemplate,
  podReady,
  resourceType,
} from './controller-kit.ts';
import type { EventRecorder } from './events.ts';

/**
 * The StatefulSet controller: pods `<name>-0` … `<name>-(n-1)` with stable names, made in order
 * (OrderedReady: the next once the one before is Running and Ready) or all at once (Parallel),
 * removed from the highest ordinal down, and replaced from the highest down when the template
 * changes (RollingUpdate).
 */
const STATEFULSETS = resourceType('apps', 'v1', 'statefulsets');
const SOURCE = { component: 'statefulset-controller' };
const POD_NAME = 'statefulset.kubernetes.io/pod-name';
const REVISION = 'controller-revision-hash';

type Spec = {
  replicas?: number;
  serviceName?: string;
  podManagementPolicy?: string;
  updateStrategy?: { type?: string };
  template?: PodTemplate;
};

export class StatefulSetController implements Controller {
  readonly #store: ObjectStore;
  readonly #events: EventRecorder;

  constructor(store: ObjectStore, events: EventRecorder) {
    this.#store = store;
    this.#events = events;
  }

  reconcile(context: ControllerContext): void {
    for (const set of this.#store.view(STATEFULSETS)) {
      if (set.metadata.deletionTimestamp === undefined) this.#statefulSet(set, context);
    }
  }

  #statefulSet(set: KObject, context: ControllerContext): void {
    const spec = set.spec as Spec;
    const wanted = spec.replicas ?? 1;
    const revision = `${set.metadata.name}-${shortHash(spec.template ?? {})}`;
    const owned = ownedPods(this.#store, set);
    const terminating = owned.some((p) => p.metadata.deletionTimestamp !== undefined);
    const live = new Map<number, KObject>();
    for (const pod of owned) {
      if (pod.metadata.deletionTimestamp === undefined) live.set(ordinalOf(set, pod), pod);
    }
    const parallel = spec.podManagementPolicy === 'Parallel';
    const settled = (pod: KObject | undefined) =>
      pod !== undefined && (pod.status as { phase?: string })?.phase === 'Running' && podReady(pod);

    const names = new Set(owned.map((p) => p.metadata.name));
    for (let i = 0; i < wanted; i++) {
      if (live.has(i)) {
        if (!parallel && !settled(live.get(i))) break;
        continue;
      }
      // A stable name comes back only once the pod that had it is gone.
      if (names.has(`${set.metadata.name}-${i}`)) {
        if (parallel) continue;
        break;
      }
      if (!parallel && terminating) break;
      live.set(i, this.#create(set, i, revision));
      if (!parallel) break;
    }
    const extra = [...live.keys()].filter((i) => i >= wanted).sort((a, b) => b - a);
    const allSettled = [...live.values()].every(settled);
    for (const i of parallel ? extra : extra.slice(0, 1)) {
      if (!parallel && (terminating || !allSettled)) break;
      this.#delete(set, live.get(i) as KObject);
      live.delete(i);
    }
    if (extra.length === 0 && !terminating && allSettled && live.size === wanted) {
      this.#rollOne(set, live, revision);
    }
    this.#status(set, [...live.values()], revision, context);
  }

  /** RollingUpdate: the highest pod on an old revision is replaced, one at a time. */
  #rollOne(set: KObject, live: Map<number, KObject>, revision: string): void {
    if ((set.spec as Spec).updateStrategy?.type === 'OnDelete') return;
    const stale = [...live.entries()]
      .filter(([, pod]) => pod.metadata.labels?.[REVISION] !== revision)
      .sort(([a], [b]) => b - a)[0];
    if (stale === undefined) return;
    this.#delete(set, stale[1]);
    live.delete(stale[0]);
  }

  #create(set: KObject, ordinal: number, revision: string): KObject {
    const spec = set.spec as Spec;
    const name = `${set.metadata.name}-${ordinal}`;
    const pod = createPod(
      this.#store,
      set,
      spec.template ?? {},
      { name },
      {
        labels: {
          [REVISION]: revision,
          [POD_NAME]: name,
          'apps.kubernetes.io/pod-index': String(ordinal),
        },
        spec: {
          hostname: name,
          ...(spec.serviceName === undefined ? {} : { subdomain: spec.serviceName }),
        },
      },
    );
    this.#events.record(
      set,
      'Normal',
      'SuccessfulCreate',
      `create Pod ${name} in StatefulSet ${set.metadata.name} successful`,
      SOURCE,
    );
    return pod;
  }

  #delete(set: KObject, pod: KObject): void {
    deletePod(this.#store, pod);
    this.#events.record(
      set,
      'Normal',
      'SuccessfulDelete',
      `delete Pod ${pod.metadata.name} in StatefulSet ${set.metadata.name} successful`,
      SOURCE,
    );
  }

  #status(set: KObject, pods: KObject[], revision: string, context: ControllerContext): void {
    const previous = (set.status ?? {}) as { currentRevision?: string };
    const updated = pods.filter((p) => p.metadata.labels?.[REVISION] === revision).length;
    const wanted = (set.spec as Spec).replicas ?? 1;
    const done = updated === wanted && pods.length === wanted && pods.every(podReady);
    const currentRevision = done ? revision : (previous.currentRevision ?? revision);
    const current = pods.filter((p) => p.metadata.labels?.[REVISION] === currentRevision).length;
    const counts: Record<string, number> = {
      readyReplicas: pods.filter(podReady).length,
      currentReplicas: current,
      updatedReplicas: updated,
    };
    for (const key of Object.keys(counts)) if (counts[key] === 0) delete counts[key];
    const status = {
      observedGeneration: set.metadata.generation,
      replicas: pods.length,
      ...counts,
      availableReplicas: pods.filter((p) => context.isAvailable(p)).length,
      currentRevision,
      updateRevision: revision,
      collisionCount: 0,
    };
    this.#store.writeStatus(STATEFULSETS, { ...set, status });
  }
}

/** The pod's ordinal: the number after its set's name. */
function ordinalOf(set: KObject, pod: KObject): number {
  const suffix = pod.metadata.name.slice(set.metadata.name.length + 1);
  return /^\d+$/.test(suffix) ? Number(suffix) : -1;
}
