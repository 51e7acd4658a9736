import { admit } from '../api/admission.ts';
import { findResource, type ResourceType } from '../api/catalog.ts';
import { selectorMatcher } from '../api/selectors.ts';
import { ApiError, type KObject, type ObjectStore } from '../api/store.ts';
import { ownedPods, type PodTemplate, podFromTemplate, podReady } from './controller-kit.ts';
import { type EventRecorder, stamp } from './events.ts';
import { podLimit, podRoom } from './pod-limit.ts';

/**
 * The replica set controller: pods made from the template up to the wanted count (a burst per
 * sync, within what the sandbox holds), the least useful deleted first when there are too many,
 * and a pod that admission refused retried after a back-off, with its ReplicaFailure condition.
 */
const REPLICA_SETS = findResource('apps', 'v1', 'replicasets') as ResourceType;
const PODS = findResource('', 'v1', 'pods') as ResourceType;
/** Pods a ReplicaSet creates in one sync at most, as the real controller's burst. */
const BURST_REPLICAS = 500;
const REFUSAL_BACKOFF_MS = 10_000;

type Spec = { replicas?: number; selector?: unknown; template?: unknown };
export type PodReadiness = (pod: KObject) => boolean;

export class ReplicaSetController {
  readonly #store: ObjectStore;
  readonly #events: EventRecorder;
  /**
   * A set's pod that admission refused, by set: it retries after a back-off, not every pass, and
   * says why in its ReplicaFailure condition until a create succeeds.
   */
  readonly #failures = new Map<string, { at: number; since: number; message: string }>();
  readonly #refusedAt = new Map<string, number>();

  constructor(store: ObjectStore, events: EventRecorder) {
    this.#store = store;
    this.#events = events;
  }

  /** One sync: pods made or deleted towards the wanted count, and the status written. */
  reconcile(rs: KObject, isAvailable: PodReadiness): void {
    const wanted = replicasOf(rs);
    const pods = this.podsOf(rs);
    const refused = this.#failures.get(rs.metadata.uid ?? '')?.at;
    const backingOff =
      refused !== undefined && this.#store.now().getTime() - refused < REFUSAL_BACKOFF_MS;
    // A replica set being deleted manages no pods: the garbage collector takes them.
    const managing = rs.metadata.deletionTimestamp === undefined;
    if (managing && pods.length < wanted && !backingOff) {
      // Like the real controller, at most a burst of pods per sync; and never beyond what the
      // sandbox holds, which is said in an event rather than running the process out of memory.
      const room = podRoom(this.#store);
      const made = Math.min(wanted - pods.length, BURST_REPLICAS, room);
      for (let i = 0; i < made; i++) if (!this.#createPod(rs)) break;
      if (made < Math.min(wanted - pods.length, BURST_REPLICAS) && this.#mayRefuse(rs))
        this.#events.record(
          rs,
          'Warning',
          'FailedCreate',
          `Error creating: the sandbox holds at most ${podLimit(this.#store)} pods`,
          { component: 'replicaset-controller' },
        );
    } else if (managing && pods.length > wanted) {
      const doomed = [...pods]
        .sort(
          (a, b) =>
            rank(a, isAvailable) - rank(b, isAvailable) ||
            (b.metadata.creationTimestamp ?? '').localeCompare(a.metadata.creationTimestamp ?? ''),
        )
        .slice(0, pods.length - wanted);
      for (const pod of doomed) {
        this.#store.replace(PODS, {
          ...pod,
          metadata: {
            ...pod.metadata,
            deletionTimestamp: stamp(this.#store.now()),
            deletionGracePeriodSeconds: 30,
          },
        });
        this.#events.record(rs, 'Normal', 'SuccessfulDelete', `Deleted pod: ${pod.metadata.name}`, {
          component: 'replicaset-controller',
        });
      }
    }
    const live = this.podsOf(rs);
    const status: Record<string, unknown> = {
      replicas: live.length,
      fullyLabeledReplicas: live.length,
      readyReplicas: live.filter(podReady).length,
      availableReplicas: live.filter(isAvailable).length,
      observedGeneration: rs.metadata.generation,
    };
    const failure = this.#failures.get(rs.metadata.uid ?? '');
    if (failure !== undefined && live.length < wanted) {
      status.conditions = [
        {
          type: 'ReplicaFailure',
          status: 'True',
          lastTransitionTime: stamp(new Date(failure.since)),
          reason: 'FailedCreate',
          message: failure.message,
        },
      ];
    } else this.#failures.delete(rs.metadata.uid ?? '');
    for (const key of ['fullyLabeledReplicas', 'readyReplicas', 'availableReplicas']) {
      if (status[key] === 0) delete status[key];
    }
    this.#store.writeStatus(REPLICA_SETS, { ...rs, status });
  }

  /** Creates one pod; false when admission refused it, which the FailedCreate event tells. */
  #createPod(rs: KObject): boolean {
    const template = ((rs.spec as Spec).template ?? {}) as PodTemplate;
    const object = podFromTemplate(rs, template, { generateName: `${rs.metadata.name}-` });
    const source = { component: 'replicaset-controller' };
    try {
      admit(this.#store, PODS, object);
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      this.#events.record(
        rs,
        'Warning',
        'FailedCreate',
        `Error creating: ${error.message}`,
        source,
      );
      const now = this.#store.now().getTime();
      const since = this.#failures.get(rs.metadata.uid ?? '')?.since ?? now;
      this.#failures.set(rs.metadata.uid ?? '', { at: now, since, message: error.message });
      return false;
    }
    const pod = this.#store.create(PODS, object);
    this.#events.record(
      rs,
      'Normal',
      'SuccessfulCreate',
      `Created pod: ${pod.metadata.name}`,
      source,
    );
    return true;
  }

  /**
   * Whether to tell again that the sandbox is full: at most every 30 s of simulated time, as the
   * real controller backs off a sync that fails, so a full sandbox does not churn the same event.
   */
  #mayRefuse(rs: KObject): boolean {
    const uid = rs.metadata.uid ?? '';
    const now = this.#store.now().getTime();
    if (now < (this.#refusedAt.get(uid) ?? Number.NEGATIVE_INFINITY) + 30_000) return false;
    if (this.#refusedAt.size > 10_000) this.#refusedAt.clear();
    this.#refusedAt.set(uid, now);
    return true;
  }

  /**
   * The set's live pods: not being deleted, and not evicted. An evicted pod is no replica: it
   * stays listed, and is replaced. (The real controller skips every pod that ended; under a valid
   * template, restartPolicy Always, eviction is the only way one ends, and an odd pod put in
   * behind the API is not replaced without end.)
   */
  podsOf(rs: KObject): KObject[] {
    const match = selectorMatcher((rs.spec as Spec).selector);
    return ownedPods(this.#store, rs).filter(
      (pod) =>
        pod.metadata.deletionTimestamp === undefined &&
        (pod.status as { reason?: string } | undefined)?.reason !== 'Evicted' &&
        match(pod.metadata.labels),
    );
  }
}

function replicasOf(rs: KObject): number {
  return (rs.spec as Spec).replicas ?? 1;
}

/** Which pods go first when there are too many: unscheduled, then not ready, then not available. */
function rank(pod: KObject, isAvailable: PodReadiness): number {
  if ((pod.spec as { nodeName?: string }).nodeName === undefined) return 0;
  if (!podReady(pod)) return 1;
  return isAvailable(pod) ? 3 : 2;
}
