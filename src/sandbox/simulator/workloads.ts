import { findResource } from '../api/catalog.ts';
import { canonical, shortHash } from '../api/hash.ts';
import type { KObject, ObjectStore } from '../api/store.ts';
import { type Guard, ownerRef, podReady } from './controller-kit.ts';
import {
  availableCondition,
  type Condition,
  keepTimes,
  progressingCondition,
} from './deployment-conditions.ts';
import { pausedStatus, pauseTransition } from './deployment-pause.ts';
import type { EventRecorder } from './events.ts';
import { type PodReadiness, ReplicaSetController } from './replicaset-controller.ts';

/**
 * The deployment controller, over the replica set controller: a template change makes a new replica set (or
 * brings back the old one with that template, as a rollback does), the new set grows and the
 * old ones shrink as new pods become available, and a rollout that makes no progress for
 * `progressDeadlineSeconds` is marked ProgressDeadlineExceeded.
 */
const DEPLOYMENTS = must(findResource('apps', 'v1', 'deployments'));
const REPLICA_SETS = must(findResource('apps', 'v1', 'replicasets'));

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

export class WorkloadControllers {
  readonly #store: ObjectStore;
  readonly #events: EventRecorder;
  /** When each deployment last made progress, for its deadline. */
  readonly #progress = new Map<string, { key: string; at: number; resumed?: boolean }>();

  readonly #replicaSets: ReplicaSetController;

  constructor(store: ObjectStore, events: EventRecorder) {
    this.#store = store;
    this.#events = events;
    this.#replicaSets = new ReplicaSetController(store, events);
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
      guard(`replica set ${nameOf(rs)}`, () => this.#replicaSets.reconcile(rs, isAvailable));
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
      const pods = owned.flatMap((rs) => this.#replicaSets.podsOf(rs));
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
    const pods = (rs: KObject) => this.#replicaSets.podsOf(rs);
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
    const all = [current, ...old].flatMap((rs) => this.#replicaSets.podsOf(rs));
    const updatedPods = this.#replicaSets.podsOf(current);
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
}

function nameOf(object: KObject): string {
  return `${object.metadata.namespace}/${object.metadata.name}`;
}

/** The new replica set's ReplicaFailure, which the deployment controller copies to its status. */
function replicaFailure(rs: KObject): Condition[] {
  const found = (rs.status as { conditions?: Condition[] } | undefined)?.conditions?.find(
    (c) => c.type === 'ReplicaFailure',
  );
  if (found === undefined) return [];
  return [{ ...found, lastUpdateTime: found.lastTransitionTime ?? '' }];
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
