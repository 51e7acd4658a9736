import { admit } from '../api/admission.ts';
import { findResource } from '../api/catalog.ts';
import { canonical, shortHash } from '../api/hash.ts';
import { selectorMatcher } from '../api/selectors.ts';
import { ApiError, type KObject, type ObjectStore } from '../api/store.ts';
import { ownerRef, type PodTemplate, podFromTemplate } from './controller-kit.ts';
import {
  availableCondition,
  type Condition,
  keepTimes,
  progressingCondition,
} from './deployment-conditions.ts';
import { pausedStatus, pauseTransition } from './deployment-pause.ts';
import type { EventRecorder } from './events.ts';
import { stamp } from './events.ts';
import { podLimit, podRoom } from './pod-limit.ts';

/**
 * The deployment and replica set controllers: a template change makes a new replica set (or
 * brings back the old one with that template, as a rollback does), the new set grows and the
 * old ones shrink as new pods become available, and a rollout that makes no progress for
 * `progressDeadlineSeconds` is marked ProgressDeadlineExceeded.
 */
const DEPLOYMENTS = must(findResource('apps', 'v1', 'deployments'));
const REPLICA_SETS = must(findResource('apps', 'v1', 'replicasets'));
/** Pods a ReplicaSet creates in one sync at most, as the real controller's burst. */
const BURST_REPLICAS = 500;
const PODS = must(findResource('', 'v1', 'pods'));
const REFUSAL_BACKOFF_MS = 10_000;

const REVISION = 'deployment.kubernetes.io/revision';
const HASH = 'pod-template-hash';

type Spec = {
  replicas?: number;
  selector?: unknown;
  template?: {
    metadata?: { labels?: Record<string, string>; annotations?: Record<string, string> };
    spec?: unknown;
  };
  paused?: boolean;
  progressDeadlineSeconds?: number;
  strategy?: {
    type?: string;
    rollingUpdate?: { maxSurge?: number | string; maxUnavailable?: number | string };
  };
};

type PodReadiness = (pod: KObject) => boolean;

export class WorkloadControllers {
  readonly #store: ObjectStore;
  readonly #events: EventRecorder;
  /** When each deployment last made progress, for its deadline. */
  readonly #progress = new Map<string, { key: string; at: number; resumed?: boolean }>();
  /**
   * A replica set's pod that admission refused, by set: it retries after a back-off, not every
   * pass, and says why in its ReplicaFailure condition until a create succeeds.
   */
  readonly #failures = new Map<string, { at: number; since: number; message: string }>();

  #owned: { version: string; byOwner: Map<string, KObject[]> } | undefined;
  readonly #refusedAt = new Map<string, number>();

  constructor(store: ObjectStore, events: EventRecorder) {
    this.#store = store;
    this.#events = events;
  }

  /** The earliest time a deadline will pass, so that simulated time can stop there. */
  nextDeadline(): number | undefined {
    let next: number | undefined;
    for (const deployment of this.#store.view(DEPLOYMENTS)) {
      const progress = this.#progress.get(deployment.metadata.uid ?? '');
      if (progress === undefined) continue;
      const status = deployment.status as { conditions?: unknown } | undefined;
      const conditions = Array.isArray(status?.conditions) ? status.conditions : [];
      const progressing = conditions.find(
        (c: { type?: unknown } | null) => c?.type === 'Progressing',
      ) as { reason?: unknown } | undefined;
      if (progressing?.reason !== 'ReplicaSetUpdated') continue;
      const at = progress.at + deadlineOf(deployment) * 1000;
      next = next === undefined ? at : Math.min(next, at);
    }
    return next;
  }

  /** One sync of every Deployment and ReplicaSet; `guard` keeps one object's failure its own. */
  reconcile(isAvailable: PodReadiness, guard: Guard): void {
    for (const deployment of this.#store.view(DEPLOYMENTS)) {
      if (deployment.metadata.deletionTimestamp === undefined)
        guard(`deployment ${nameOf(deployment)}`, () => this.#deployment(deployment, isAvailable));
    }
    for (const rs of this.#store.view(REPLICA_SETS))
      guard(`replica set ${nameOf(rs)}`, () => this.#replicaSet(rs, isAvailable));
  }

  #deployment(deployment: KObject, isAvailable: PodReadiness): void {
    const spec = deployment.spec as Spec;
    const namespace = deployment.metadata.namespace;
    const wanted = spec.replicas ?? 1;
    const owned = this.#store
      .view(REPLICA_SETS, namespace)
      .filter((rs) => rs.metadata.ownerReferences?.some((o) => o.uid === deployment.metadata.uid));
    const template = spec.template ?? {};
    let current = owned.find((rs) => sameTemplate(rs, template));
    const maxRevision = Math.max(0, ...owned.map(revisionOf));
    if (this.#pauseChanged(deployment)) return;
    if (spec.paused === true && current === undefined) {
      // Paused on a template no replica set has yet: nothing rolls out, nothing is up to date.
      const pods = owned.flatMap((rs) => this.#podsOf(rs));
      const status = pausedStatus(deployment, pods, podReady, isAvailable);
      this.#store.writeStatus(DEPLOYMENTS, { ...deployment, status });
      return;
    }

    if (current === undefined) {
      current = this.#createReplicaSet(deployment, template, maxRevision + 1);
    } else if (revisionOf(current) < maxRevision) {
      current = this.#store.replace(
        REPLICA_SETS,
        withAnnotation(current, REVISION, String(maxRevision + 1)),
      );
    }
    const revision = revisionOf(current);
    if (deployment.metadata.annotations?.[REVISION] !== String(revision)) {
      deployment = this.#store.replace(
        DEPLOYMENTS,
        withAnnotation(deployment, REVISION, String(revision)),
      );
    }
    const newest: KObject = current;
    const old = owned.filter((rs) => rs.metadata.uid !== newest.metadata.uid);
    const pods = (rs: KObject) => this.#podsOf(rs);
    const available = (rs: KObject) => pods(rs).filter(isAvailable).length;
    const surge = resolve(spec.strategy?.rollingUpdate?.maxSurge ?? '25%', wanted, true);
    const unavailable = resolve(
      spec.strategy?.rollingUpdate?.maxUnavailable ?? '25%',
      wanted,
      false,
    );
    const recreate = spec.strategy?.type === 'Recreate';

    if (spec.paused !== true) {
      const oldSpec = old.reduce((sum, rs) => sum + replicasOf(rs), 0);
      const oldPods = old.reduce((sum, rs) => sum + pods(rs).length, 0);
      let target: number;
      if (recreate) target = oldPods > 0 ? 0 : wanted;
      else if (old.length === 0 || oldSpec === 0) target = wanted;
      else target = Math.min(wanted, Math.max(replicasOf(current), wanted + surge - oldSpec));
      if (replicasOf(current) !== target) {
        current = this.#scale(current, target, deployment);
      }
      // Old sets keep enough pods that, with the new available ones, the service stays whole.
      const newAvailable = available(current);
      let keep = recreate ? 0 : Math.max(0, wanted - unavailable - newAvailable);
      for (const rs of old.sort((a, b) => revisionOf(b) - revisionOf(a))) {
        const next = Math.min(replicasOf(rs), keep);
        keep -= next;
        if (next !== replicasOf(rs)) this.#scale(rs, next, deployment);
      }
    }
    this.#deploymentStatus(deployment, current, old, wanted, unavailable, isAvailable);
  }

  #deploymentStatus(
    deployment: KObject,
    current: KObject,
    old: KObject[],
    wanted: number,
    maxUnavailable: number,
    isAvailable: PodReadiness,
  ): void {
    const now = this.#store.now();
    const all = [current, ...old].flatMap((rs) => this.#podsOf(rs));
    const updatedPods = this.#podsOf(current);
    const available = all.filter(isAvailable).length;
    const updated = updatedPods.length;
    const updatedAvailable = updatedPods.filter(isAvailable).length;
    const complete = updated === wanted && updatedAvailable === wanted && all.length === wanted;
    const since = this.#progressSince(
      deployment,
      `${current.metadata.name}/${updated}/${updatedAvailable}/${all.length}`,
      now,
    );
    const oldStatus = (deployment.status ?? {}) as { conditions?: Condition[] };
    const deadlinePassed =
      (deployment.spec as Spec).paused !== true &&
      !complete &&
      now.getTime() - since >= deadlineOf(deployment) * 1000;
    const oldProgressing = oldStatus.conditions?.find((c) => c.type === 'Progressing');
    const progressing = progressingCondition(current.metadata.name, complete, deadlinePassed);
    // Paused says so until resumed; Resumed stays until the rollout makes progress again, as
    // the real controller's conditions do.
    const kept =
      ((deployment.spec as Spec).paused === true && oldProgressing !== undefined) ||
      (oldProgressing?.reason === 'DeploymentResumed' &&
        progressing.reason === 'ReplicaSetUpdated' &&
        this.#progress.get(deployment.metadata.uid ?? '')?.resumed === true);
    const conditions = [
      keepTimes(
        availableCondition(available >= wanted - maxUnavailable),
        oldStatus.conditions,
        now,
        since,
      ),
      kept && oldProgressing !== undefined
        ? oldProgressing
        : keepTimes(progressing, oldStatus.conditions, now, since),
    ];
    conditions.push(...replicaFailure(current));
    const wasExceeded = oldStatus.conditions?.some((c) => c.reason === 'ProgressDeadlineExceeded');
    if (deadlinePassed && !wasExceeded) {
      this.#events.record(
        deployment,
        'Warning',
        'ProgressDeadlineExceeded',
        `Deployment ${deployment.metadata.name} has timed out progressing.`,
        { component: 'deployment-controller' },
      );
    }
    const status: Record<string, unknown> = {
      observedGeneration: deployment.metadata.generation,
      replicas: all.length,
      updatedReplicas: updated,
      readyReplicas: all.filter(podReady).length,
      availableReplicas: available,
      conditions,
    };
    if (wanted - available > 0) status.unavailableReplicas = wanted - available;
    for (const key of ['updatedReplicas', 'readyReplicas', 'availableReplicas', 'replicas']) {
      if (status[key] === 0) delete status[key];
    }
    this.#store.writeStatus(DEPLOYMENTS, { ...deployment, status });
  }

  /** Pausing or resuming: the condition that says so, written as a sync of its own. */
  #pauseChanged(deployment: KObject): boolean {
    const now = this.#store.now();
    const change = pauseTransition(deployment, now);
    if (change === undefined) return false;
    // A resumed rollout's deadline counts from the resume, and it stays Resumed until progress.
    const progress = this.#progress.get(deployment.metadata.uid ?? '');
    if (change.resumed && progress !== undefined)
      Object.assign(progress, { at: now.getTime(), resumed: true });
    this.#store.writeStatus(DEPLOYMENTS, { ...deployment, status: change.status });
    return true;
  }

  /** When the deployment last made progress: now, if what `key` sums up changed since last time. */
  #progressSince(deployment: KObject, key: string, now: Date): number {
    const uid = deployment.metadata.uid ?? '';
    const previous = this.#progress.get(uid);
    if (previous === undefined || previous.key !== key) {
      this.#progress.set(uid, { key, at: now.getTime() });
    }
    return this.#progress.get(uid)?.at ?? now.getTime();
  }

  #createReplicaSet(
    deployment: KObject,
    template: NonNullable<Spec['template']>,
    revision: number,
  ): KObject {
    const hash = shortHash(template);
    const spec = deployment.spec as Spec;
    const labels = { ...(template.metadata?.labels ?? {}), [HASH]: hash };
    const selector = structuredClone(
      (spec.selector ?? {}) as { matchLabels?: Record<string, string> },
    );
    selector.matchLabels = { ...(selector.matchLabels ?? {}), [HASH]: hash };
    const name = `${deployment.metadata.name}-${hash}`;
    const rs = this.#store.create(REPLICA_SETS, {
      apiVersion: 'apps/v1',
      kind: 'ReplicaSet',
      metadata: {
        name,
        namespace: deployment.metadata.namespace ?? 'default',
        labels,
        annotations: {
          'deployment.kubernetes.io/desired-replicas': String(spec.replicas ?? 1),
          'deployment.kubernetes.io/max-replicas': String((spec.replicas ?? 1) + 1),
          [REVISION]: String(revision),
          ...changeCause(deployment),
        },
        ownerReferences: [ownerRef(deployment)],
      },
      spec: {
        replicas: 0,
        selector,
        template: {
          ...structuredClone(template),
          metadata: { ...(template.metadata ?? {}), labels },
        },
      },
    });
    return rs;
  }

  #scale(rs: KObject, replicas: number, deployment: KObject): KObject {
    const from = replicasOf(rs);
    const next = this.#store.replace(REPLICA_SETS, {
      ...rs,
      spec: { ...(rs.spec as object), replicas },
    });
    this.#events.record(
      deployment,
      'Normal',
      'ScalingReplicaSet',
      `Scaled ${replicas > from ? 'up' : 'down'} replica set ${rs.metadata.name} from ${from} to ${replicas}`,
      { component: 'deployment-controller' },
    );
    return next;
  }

  #replicaSet(rs: KObject, isAvailable: PodReadiness): void {
    const wanted = replicasOf(rs);
    const pods = this.#podsOf(rs);
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
    const live = this.#podsOf(rs);
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

  #podsOf(rs: KObject): KObject[] {
    const match = selectorMatcher((rs.spec as Spec).selector);
    return (this.#podsByOwner().get(rs.metadata.uid ?? '') ?? []).filter(
      (pod) => pod.metadata.namespace === rs.metadata.namespace && match(pod.metadata.labels),
    );
  }

  /** Live pods by the uid of each owner, made again only when the store has changed. */
  #podsByOwner(): Map<string, KObject[]> {
    const version = this.#store.resourceVersion;
    if (this.#owned?.version === version) return this.#owned.byOwner;
    const byOwner = new Map<string, KObject[]>();
    for (const pod of this.#store.view(PODS)) {
      if (pod.metadata.deletionTimestamp !== undefined) continue;
      // An evicted pod is no replica: it stays listed, and is replaced. (The real controller skips
      // every pod that ended; under a valid template, restartPolicy Always, eviction is the only
      // way one ends, and an odd pod put in behind the API is not replaced without end.)
      if ((pod.status as { reason?: string } | undefined)?.reason === 'Evicted') continue;
      const owners = Array.isArray(pod.metadata.ownerReferences)
        ? pod.metadata.ownerReferences
        : [];
      for (const owner of owners) {
        const uid = String(owner?.uid ?? '');
        const pods = byOwner.get(uid);
        if (pods === undefined) byOwner.set(uid, [pod]);
        else pods.push(pod);
      }
    }
    this.#owned = { version, byOwner };
    return byOwner;
  }
}

/** Runs one object's work; a failure is told, and the other objects go on. */
export type Guard = (where: string, work: () => void) => void;

function nameOf(object: KObject): string {
  return `${object.metadata.namespace}/${object.metadata.name}`;
}

export function podReady(pod: KObject): boolean {
  const conditions = (pod.status as { conditions?: { type: string; status: string }[] } | undefined)
    ?.conditions;
  return conditions?.some((c) => c.type === 'Ready' && c.status === 'True') === true;
}

/** The new replica set's ReplicaFailure, which the deployment controller copies to its status. */
function replicaFailure(rs: KObject): Condition[] {
  const found = (rs.status as { conditions?: Condition[] } | undefined)?.conditions?.find(
    (c) => c.type === 'ReplicaFailure',
  );
  if (found === undefined) return [];
  return [{ ...found, lastUpdateTime: found.lastTransitionTime ?? '' }];
}

function rank(pod: KObject, isAvailable: PodReadiness): number {
  if ((pod.spec as { nodeName?: string }).nodeName === undefined) return 0;
  if (!podReady(pod)) return 1;
  return isAvailable(pod) ? 3 : 2;
}

function sameTemplate(rs: KObject, template: NonNullable<Spec['template']>): boolean {
  const own = structuredClone((rs.spec as Spec).template ?? {});
  if (own.metadata?.labels !== undefined) delete own.metadata.labels[HASH];
  return canonical(own) === canonical(template);
}

function revisionOf(object: KObject): number {
  return Number(object.metadata.annotations?.[REVISION] ?? 0) || 0;
}

function replicasOf(rs: KObject): number {
  return (rs.spec as Spec).replicas ?? 1;
}

function deadlineOf(deployment: KObject): number {
  return (deployment.spec as Spec).progressDeadlineSeconds ?? 600;
}

function resolve(value: number | string, total: number, roundUp: boolean): number {
  if (typeof value === 'number') return value;
  const percent = Number(value.replace('%', '')) / 100;
  const raw = total * percent;
  const out = roundUp ? Math.ceil(raw) : Math.floor(raw);
  return roundUp && out === 0 && total > 0 ? 1 : out;
}

function withAnnotation(object: KObject, key: string, value: string): KObject {
  return {
    ...object,
    metadata: {
      ...object.metadata,
      annotations: { ...(object.metadata.annotations ?? {}), [key]: value },
    },
  };
}

function changeCause(deployment: KObject): Record<string, string> {
  const cause = deployment.metadata.annotations?.['kubernetes.io/change-cause'];
  return cause === undefined ? {} : { 'kubernetes.io/change-cause': cause };
}

function must<T>(value: T | undefined): T {
  if (value === undefined) throw new Error('the sandbox catalog lacks a core resource');
  return value;
}
