import { findResource, type ResourceType } from './catalog.ts';
import { deleteObject } from './delete.ts';
import { type Call, type DeleteOptions, readBody } from './request.ts';
import { methodNotAllowed, sendJson } from './respond.ts';
import { selectorMatcher } from './selectors.ts';
import { ApiError, type KObject, type ObjectStore } from './store.ts';

/**
 * A pod's `eviction` subresource (policy/v1 Eviction), as `kubectl drain` uses it: the pod is
 * deleted unless that would take its PodDisruptionBudget below what it needs, which answers 429
 * with the budget named in the details, and `kubectl drain` retries.
 */
const PODS = findResource('', 'v1', 'pods') as ResourceType;
const BUDGETS = findResource('policy', 'v1', 'poddisruptionbudgets') as ResourceType;
const VIOLATION = "Cannot evict pod as it would violate the pod's disruption budget.";

type Eviction = { metadata?: { name?: string }; deleteOptions?: DeleteOptions };
type BudgetStatus = {
  observedGeneration?: number;
  disruptionsAllowed?: number;
  currentHealthy?: number;
  desiredHealthy?: number;
  disruptedPods?: Record<string, string>;
};

function tooManyRequests(cause: string): ApiError {
  return new ApiError(429, 'TooManyRequests', VIOLATION, {
    causes: [{ reason: 'DisruptionBudget', message: cause }],
  });
}

function ready(pod: KObject): boolean {
  const conditions = (pod.status as { conditions?: { type: string; status: string }[] })
    ?.conditions;
  return conditions?.some((c) => c.type === 'Ready' && c.status === 'True') === true;
}

/** A pod that is not running, or already going, is deleted without asking its budget. */
function budgetApplies(pod: KObject): boolean {
  const phase = (pod.status as { phase?: string } | undefined)?.phase;
  return (
    pod.metadata.deletionTimestamp === undefined &&
    !['Pending', 'Succeeded', 'Failed'].includes(phase ?? 'Pending')
  );
}

/** Takes one disruption from the pod's budget, or refuses as the API server does. */
function spendBudget(store: ObjectStore, pod: KObject, dryRun: boolean): void {
  const budgets = store.view(BUDGETS, pod.metadata.namespace).filter((b) => {
    const selector = (b.spec as { selector?: unknown } | undefined)?.selector;
    return selector !== undefined && selectorMatcher(selector)(pod.metadata.labels);
  });
  if (budgets.length === 0) return;
  if (budgets.length > 1)
    throw new ApiError(
      500,
      'InternalError',
      'This pod has more than one PodDisruptionBudget, which the eviction subresource does not support.',
    );
  const budget = budgets[0] as KObject;
  const status = (budget.status ?? {}) as BudgetStatus;
  if ((status.observedGeneration ?? 0) < (budget.metadata.generation ?? 0))
    throw tooManyRequests(
      `The disruption budget ${budget.metadata.name} is still being processed by the server.`,
    );
  // An unhealthy pod may go while the application has the healthy pods it needs.
  if (!ready(pod) && (status.currentHealthy ?? 0) >= (status.desiredHealthy ?? 0)) return;
  if ((status.disruptionsAllowed ?? 0) <= 0)
    throw tooManyRequests(
      `The disruption budget ${budget.metadata.name} needs ${status.desiredHealthy ?? 0} healthy pods and has ${status.currentHealthy ?? 0} currently`,
    );
  if (dryRun) return;
  const at = store
    .now()
    .toISOString()
    .replace(/\.\d+Z$/, 'Z');
  store.writeStatus(BUDGETS, {
    ...budget,
    status: {
      ...status,
      disruptionsAllowed: (status.disruptionsAllowed ?? 0) - 1,
      disruptedPods: { ...(status.disruptedPods ?? {}), [pod.metadata.name]: at },
    },
  });
}

export async function serveEviction(call: Call): Promise<void> {
  const { store, target, req, res } = call;
  if (req.method !== 'POST') throw methodNotAllowed();
  const name = target.name ?? '';
  const eviction = (await readBody(req, false, 'Eviction')) as Eviction;
  if (eviction.metadata?.name !== undefined && eviction.metadata.name !== name)
    throw new ApiError(400, 'BadRequest', 'name in URL does not match name in Eviction object');
  const pod = store.mustGet(PODS, target.namespace, name);
  const options = eviction.deleteOptions ?? {};
  const dryRun = call.dryRun || (options.dryRun ?? []).includes('All');
  if (budgetApplies(pod)) spendBudget(store, pod, dryRun);
  deleteObject(store, PODS, pod, options, dryRun);
  sendJson(res, 201, {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Success',
    code: 201,
  });
}
