import { selectorMatcher } from '../api/selectors.ts';
import type { KObject, ObjectStore } from '../api/store.ts';
import {
  type Condition,
  type Controller,
  type ControllerContext,
  isFinished,
  keepTransition,
  PODS,
  resourceType,
} from './controller-kit.ts';
import type { EventRecorder } from './events.ts';
import { stamp } from './events.ts';
import { type Computed, computeMetric, defaultMetrics, type MetricSpec } from './hpa-metrics.ts';
import { normalize } from './hpa-replicas.ts';

/**
 * The horizontal pod autoscaler (autoscaling/v2) for Resource metrics: every 15 s it reads the
 * usage metrics.k8s.io serves for the target's pods, computes the replica count, keeps the
 * highest recommendation of the last 300 s before scaling down, and scales the target's
 * `spec.replicas`, with the conditions and events the real controller gives.
 */
const HPAS = resourceType('autoscaling', 'v2', 'horizontalpodautoscalers');
const TARGETS: Record<string, ReturnType<typeof resourceType>> = {
  Deployment: resourceType('apps', 'v1', 'deployments'),
  StatefulSet: resourceType('apps', 'v1', 'statefulsets'),
  ReplicaSet: resourceType('apps', 'v1', 'replicasets'),
};
const SOURCE = { component: 'horizontal-pod-autoscaler' };
const SYNC_MS = 15_000;
const STABILIZATION_MS = 300_000;

type HpaSpec = {
  scaleTargetRef?: { kind?: string; name?: string };
  minReplicas?: number;
  maxReplicas?: number;
  metrics?: MetricSpec[];
};
type HpaStatus = { conditions?: Condition[]; lastScaleTime?: string };

export class HpaController implements Controller {
  readonly #store: ObjectStore;
  readonly #events: EventRecorder;
  readonly #lastSync = new Map<string, number>();
  /** Each autoscaler's recommendations of the last 300 s, for downscale stabilization. */
  readonly #recommendations = new Map<string, { at: number; replicas: number }[]>();
  /** Autoscalers whose next sync will change something, and when it is. */
  readonly #pending = new Map<string, number>();

  constructor(store: ObjectStore, events: EventRecorder) {
    this.#store = store;
    this.#events = events;
  }

  nextDeadline(): number | undefined {
    const times = [...this.#pending.values()];
    return times.length === 0 ? undefined : Math.min(...times);
  }

  reconcile(context: ControllerContext): void {
    const now = this.#store.now().getTime();
    for (const hpa of this.#store.view(HPAS)) {
      const uid = hpa.metadata.uid ?? '';
      if (now - (this.#lastSync.get(uid) ?? 0) < SYNC_MS) continue;
      this.#lastSync.set(uid, now);
      this.#pending.delete(uid);
      this.#hpa(hpa, context, now);
    }
  }

  #hpa(hpa: KObject, context: ControllerContext, now: number): void {
    const spec = hpa.spec as HpaSpec;
    const previous = (hpa.status ?? {}) as HpaStatus;
    const kind = spec.scaleTargetRef?.kind ?? '';
    const type = TARGETS[kind];
    const target =
      type === undefined
        ? undefined
        : this.#store.get(type, hpa.metadata.namespace, spec.scaleTargetRef?.name ?? '');
    if (type === undefined || target === undefined) {
      const message = `the HPA controller was unable to get the target's current scale: ${type?.plural ?? kind.toLowerCase()}.apps "${spec.scaleTargetRef?.name}" not found`;
      this.#events.record(
        hpa,
        'Warning',
        'FailedGetScale',
        message.slice(message.indexOf(': ') + 2),
        SOURCE,
      );
      this.#write(
        hpa,
        previous,
        { conditions: [cond('AbleToScale', 'False', 'FailedGetScale', message)] },
        now,
      );
      return;
    }
    const current = (target.spec as { replicas?: number }).replicas ?? 1;
    const min = spec.minReplicas ?? 1;
    const max = spec.maxReplicas ?? 1;
    const pods = this.#podsOf(target);
    const computed: Computed[] = [];
    const errors: string[] = [];
    for (const metric of spec.metrics ?? defaultMetrics()) {
      const result = computeMetric(metric, current, pods, context);
      if ('error' in result) errors.push(result.error);
      else computed.push(result);
    }
    const base = { currentReplicas: current, currentMetrics: computed.map((c) => c.metric) };
    if (current === 0 && min !== 0) {
      const message = 'scaling is disabled since the replica count of the target is zero';
      const conditions = [
        cond('AbleToScale', 'True', 'SucceededGetScale', GOT_SCALE),
        cond('ScalingActive', 'False', 'ScalingDisabled', message),
      ];
      this.#write(hpa, previous, { ...base, desiredReplicas: 0, conditions }, now);
      return;
    }
    if (computed.length === 0) {
      const first = errors[0] ?? 'no metrics';
      this.#events.record(hpa, 'Warning', 'FailedGetResourceMetric', first, SOURCE);
      this.#events.record(
        hpa,
        'Warning',
        'FailedComputeMetricsReplicas',
        `invalid metrics (${errors.length} invalid out of ${errors.length}), first error is: ${first}`,
        SOURCE,
      );
      const conditions = [
        cond('AbleToScale', 'True', 'SucceededGetScale', GOT_SCALE),
        cond(
          'ScalingActive',
          'False',
          'FailedGetResourceMetric',
          `the HPA was unable to compute the replica count: ${first}`,
        ),
      ];
      this.#write(hpa, previous, { ...base, desiredReplicas: current, conditions }, now);
      return;
    }
    const best = computed.reduce((a, b) => (b.replicas > a.replicas ? b : a));
    this.#decide(hpa, target, type, best, { current, min, max, now, previous, base });
  }

  #decide(
    hpa: KObject,
    target: KObject,
    type: ReturnType<typeof resourceType>,
    best: Computed,
    at: {
      current: number;
      min: number;
      max: number;
      now: number;
      previous: HpaStatus;
      base: Record<string, unknown>;
    },
  ): void {
    const { current, min, max, now, previous, base } = at;
    const uid = hpa.metadata.uid ?? '';
    const { reason, limited, ...bounded } = withinBounds(best, current, min, max);
    let { desired, able } = this.#stabilize(uid, bounded.desired, current, now);
    let lastScaleTime = previous.lastScaleTime;
    if (desired !== current) {
      this.#store.replace(type, {
        ...target,
        spec: { ...(target.spec as object), replicas: desired },
      });
      this.#events.record(
        hpa,
        'Normal',
        'SuccessfulRescale',
        `New size: ${desired}; reason: ${reason}`,
        SOURCE,
      );
      lastScaleTime = stamp(new Date(now));
      able = cond(
        'AbleToScale',
        'True',
        'SucceededRescale',
        `the HPA controller was able to update the target scale to ${desired}`,
      );
      if (desired !== best.replicas) this.#pending.set(uid, now + SYNC_MS);
    }
    const conditions = [
      able ?? cond('AbleToScale', 'True', 'SucceededGetScale', GOT_SCALE),
      cond(
        'ScalingActive',
        'True',
        'ValidMetricFound',
        `the HPA was able to successfully calculate a replica count from ${best.name}`,
      ),
      limited === undefined
        ? cond(
            'ScalingLimited',
            'False',
            'DesiredWithinRange',
            'the desired count is within the acceptable range',
          )
        : cond('ScalingLimited', 'True', limited.reason, limited.message),
    ];
    const status = {
      ...base,
      desiredReplicas: desired,
      ...(lastScaleTime === undefined ? {} : { lastScaleTime }),
      conditions,
    };
    this.#write(hpa, previous, status, now);
  }

  /**
   * Scaling down waits out the stabilization window: the highest recommendation of the last five
   * minutes wins. A new autoscaler starts as if it had recommended the current size, as the real
   * one does.
   */
  #stabilize(
    uid: string,
    recommended: number,
    current: number,
    now: number,
  ): { desired: number; able: Condition | undefined } {
    const history = (this.#recommendations.get(uid) ?? [{ at: now, replicas: current }]).filter(
      (r) => r.at > now - STABILIZATION_MS,
    );
    history.push({ at: now, replicas: recommended });
    this.#recommendations.set(uid, history);
    const higher = recommended < current ? history.filter((r) => r.replicas > recommended) : [];
    if (higher.length === 0) {
      const able =
        recommended === current
          ? cond('AbleToScale', 'True', 'ReadyForNewScale', 'recommended size matches current size')
          : undefined;
      return { desired: recommended, able };
    }
    // Simulated time stops when the oldest higher recommendation leaves the window.
    this.#pending.set(uid, Math.min(...higher.map((r) => r.at)) + STABILIZATION_MS + 1);
    return {
      desired: Math.min(Math.max(...higher.map((r) => r.replicas)), current),
      able: cond(
        'AbleToScale',
        'True',
        'ScaleDownStabilized',
        'recent recommendations were higher than current one, applying the highest recent recommendation',
      ),
    };
  }

  #podsOf(target: KObject): KObject[] {
    const match = selectorMatcher((target.spec as { selector?: unknown }).selector);
    return this.#store
      .view(PODS, target.metadata.namespace)
      .filter(
        (p) =>
          p.metadata.deletionTimestamp === undefined && !isFinished(p) && match(p.metadata.labels),
      );
  }

  #write(hpa: KObject, previous: HpaStatus, status: Record<string, unknown>, now: number): void {
    const conditions = ((status.conditions ?? []) as Condition[]).map((c) =>
      keepTransition(c, previous.conditions, new Date(now)),
    );
    this.#store.writeStatus(HPAS, { ...hpa, status: { ...status, conditions } });
  }
}

const GOT_SCALE = "the HPA controller was able to get the target's current scale";

function cond(type: string, status: string, reason: string, message: string): Condition {
  return { type, status, reason, message };
}

/** The recommendation held within min and max, with the reason a rescale gives and any limit. */
function withinBounds(
  best: Computed,
  current: number,
  min: number,
  max: number,
): { desired: number; reason: string; limited: { reason: string; message: string } | undefined } {
  if (current > max) {
    return {
      desired: max,
      reason: 'Current number of replicas above Spec.MaxReplicas',
      limited: {
        reason: 'TooManyReplicas',
        message: 'the desired replica count is more than the maximum replica count',
      },
    };
  }
  if (current < min) {
    return {
      desired: min,
      reason: 'Current number of replicas below Spec.MinReplicas',
      limited: {
        reason: 'TooFewReplicas',
        message: 'the desired replica count is less than the minimum replica count',
      },
    };
  }
  const normalized = normalize(best.replicas, current, { minReplicas: min, maxReplicas: max });
  return {
    desired: normalized.replicas,
    reason: best.replicas > current ? `${best.name} above target` : 'All metrics below target',
    limited: normalized.limited,
  };
}
