import { findKind, findResource, type ResourceType } from '../api/catalog.ts';
import { selectorMatcher } from '../api/selectors.ts';
import type { KObject, ObjectStore } from '../api/store.ts';
import { stamp } from './events.ts';

/**
 * The disruption controller: each PodDisruptionBudget's status from the pods it selects, which
 * the eviction subresource reads. Integer `minAvailable` counts the selected pods; a percentage
 * or `maxUnavailable` counts the replicas their controllers want, as the real controller does.
 */
const PODS = findResource('', 'v1', 'pods') as ResourceType;
const BUDGETS = findResource('policy', 'v1', 'poddisruptionbudgets') as ResourceType;
/** How long an eviction's pod stays counted as disrupted if it does not go. */
const DISRUPTED_TTL_MS = 120_000;

type BudgetSpec = {
  selector?: unknown;
  minAvailable?: number | string;
  maxUnavailable?: number | string;
};
type Condition = {
  type: string;
  status: string;
  reason: string;
  message: string;
  observedGeneration?: number;
  lastTransitionTime?: string;
};

/** `50%` of `total`, rounded up as the API's scaled values are; a number as it is. */
export function scaled(value: number | string, total: number): number {
  if (typeof value === 'number') return value;
  return Math.ceil((total * Number(value.replace('%', ''))) / 100);
}

function ready(pod: KObject): boolean {
  const conditions = (pod.status as { conditions?: { type: string; status: string }[] })
    ?.conditions;
  return conditions?.some((c) => c.type === 'Ready' && c.status === 'True') === true;
}

/** What the budget needs, from its pods and the scale their controllers want. */
export function budgetCounts(
  spec: BudgetSpec,
  pods: KObject[],
  wantedScale: number,
  disrupted: Record<string, string>,
): { expectedPods: number; desiredHealthy: number; currentHealthy: number } {
  const currentHealthy = pods.filter(
    (p) =>
      p.metadata.deletionTimestamp === undefined && !(p.metadata.name in disrupted) && ready(p),
  ).length;
  if (spec.maxUnavailable !== undefined) {
    const unavailable = scaled(spec.maxUnavailable, wantedScale);
    return {
      expectedPods: wantedScale,
      desiredHealthy: Math.max(0, wantedScale - unavailable),
      currentHealthy,
    };
  }
  if (typeof spec.minAvailable === 'string')
    return {
      expectedPods: wantedScale,
      desiredHealthy: scaled(spec.minAvailable, wantedScale),
      currentHealthy,
    };
  return { expectedPods: pods.length, desiredHealthy: spec.minAvailable ?? 0, currentHealthy };
}

export class DisruptionController {
  readonly #store: ObjectStore;

  constructor(store: ObjectStore) {
    this.#store = store;
  }

  reconcile(): void {
    for (const budget of this.#store.view(BUDGETS)) this.#budget(budget);
  }

  #budget(budget: KObject): void {
    const spec = (budget.spec ?? {}) as BudgetSpec;
    const match = spec.selector === undefined ? () => false : selectorMatcher(spec.selector);
    const pods = this.#store
      .view(PODS, budget.metadata.namespace)
      .filter((p) => match(p.metadata.labels));
    const old = (budget.status ?? {}) as {
      disruptedPods?: Record<string, string>;
      conditions?: Condition[];
    };
    const now = this.#store.now().getTime();
    // An evicted pod counts as disrupted until it is gone or going, or its entry grows old.
    const disrupted = Object.fromEntries(
      Object.entries(old.disruptedPods ?? {}).filter(([name, at]) => {
        const pod = pods.find((p) => p.metadata.name === name);
        return (
          pod !== undefined &&
          pod.metadata.deletionTimestamp === undefined &&
          now - Date.parse(at) < DISRUPTED_TTL_MS
        );
      }),
    );
    const counts = budgetCounts(spec, pods, this.#wantedScale(pods), disrupted);
    const allowed = Math.max(0, counts.currentHealthy - counts.desiredHealthy);
    const previous = old.conditions?.find((c) => c.type === 'DisruptionAllowed');
    const condition: Condition = {
      type: 'DisruptionAllowed',
      status: allowed > 0 ? 'True' : 'False',
      reason: allowed > 0 ? 'SufficientPods' : 'InsufficientPods',
      message: '',
      observedGeneration: budget.metadata.generation ?? 1,
      lastTransitionTime:
        previous?.status === (allowed > 0 ? 'True' : 'False')
          ? (previous.lastTransitionTime ?? stamp(new Date(now)))
          : stamp(new Date(now)),
    };
    const status: Record<string, unknown> = {
      observedGeneration: budget.metadata.generation ?? 1,
      disruptionsAllowed: allowed,
      currentHealthy: counts.currentHealthy,
      desiredHealthy: counts.desiredHealthy,
      expectedPods: counts.expectedPods,
      conditions: [condition],
    };
    if (Object.keys(disrupted).length > 0) status.disruptedPods = disrupted;
    this.#store.writeStatus(BUDGETS, { ...budget, status });
  }

  /** The replicas the pods' controllers want, each controller once (a deployment for its sets). */
  #wantedScale(pods: KObject[]): number {
    const seen = new Map<string, number>();
    for (const pod of pods) {
      let owner = this.#controllerOf(pod);
      const above = owner === undefined ? undefined : this.#controllerOf(owner);
      if (owner?.kind === 'ReplicaSet' && above?.kind === 'Deployment') owner = above;
      if (owner === undefined) continue;
      const replicas = (owner.spec as { replicas?: number } | undefined)?.replicas ?? 1;
      seen.set(owner.metadata.uid ?? '', replicas);
    }
    return [...seen.values()].reduce((sum, n) => sum + n, 0);
  }

  #controllerOf(object: KObject): KObject | undefined {
    const ref = object.metadata.ownerReferences?.find((r) => r.controller === true);
    if (ref === undefined) return undefined;
    const type = findKind(ref.apiVersion, ref.kind);
    if (type === undefined) return undefined;
    const owner = this.#store.get(type, object.metadata.namespace, ref.name);
    return owner?.metadata.uid === ref.uid ? owner : undefined;
  }
}
