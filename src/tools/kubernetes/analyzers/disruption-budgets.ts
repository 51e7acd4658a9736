import type { V1LabelSelector, V1Pod, V1PodDisruptionBudget } from '@kubernetes/client-node';
import { type Finding, refOf, type Snapshot } from './finding.ts';

/**
 * Findings about PodDisruptionBudgets that allow no disruption: a drain or an eviction waits on
 * them forever. Blocking a drain in progress (a cordoned node runs one of its pods, or an event
 * says an eviction was refused) is a warning; a budget that would block one is said as info.
 */
export function analyzeDisruptionBudgets(snapshot: Snapshot): Finding[] {
  return snapshot.pdbs.flatMap((pdb) => budgetFinding(pdb, snapshot) ?? []);
}

function budgetFinding(pdb: V1PodDisruptionBudget, snapshot: Snapshot): Finding | undefined {
  const status = pdb.status;
  if (status === undefined || status.disruptionsAllowed !== 0 || (status.expectedPods ?? 0) === 0)
    return undefined;
  const { currentHealthy, desiredHealthy } = status;
  if (typeof currentHealthy !== 'number' || typeof desiredHealthy !== 'number') return undefined;
  if (currentHealthy > desiredHealthy) return undefined;
  const ref = refOf('PodDisruptionBudget', pdb);
  const pods = snapshot.pods.filter(
    (p) => p.metadata?.namespace === pdb.metadata?.namespace && selects(pdb.spec?.selector, p),
  );
  const cordoned = new Set(
    snapshot.nodes.filter((n) => n.spec?.unschedulable === true).map((n) => n.metadata?.name),
  );
  const draining = pods.filter((p) => cordoned.has(p.spec?.nodeName));
  const refused = snapshot.events
    .filter((e) => /disruption budget/i.test(e.message ?? '') && e.involvedObject !== undefined)
    .filter(
      (e) =>
        e.involvedObject.name === ref.name ||
        pods.some((p) => p.metadata?.name === e.involvedObject.name),
    )
    .slice(0, 2)
    .map(
      (e) =>
        `event ${e.reason ?? 'Unknown'} on ${e.involvedObject.kind} ${e.involvedObject.name}: ${e.message}`,
    );
  const blocking = draining.length > 0 || refused.length > 0;
  const budget =
    pdb.spec?.minAvailable !== undefined
      ? `minAvailable ${pdb.spec.minAvailable}`
      : `maxUnavailable ${pdb.spec?.maxUnavailable ?? '?'}`;
  const unhealthy = currentHealthy < desiredHealthy;
  return {
    rule: blocking ? 'pdb/blocking-drain' : 'pdb/no-disruptions-allowed',
    severity: blocking ? 'warning' : 'info',
    object: ref,
    title: blocking
      ? `disruption budget ${ref.name} blocks the eviction of its pods`
      : `disruption budget ${ref.name} allows no disruption`,
    cause: unhealthy
      ? `only ${currentHealthy} of its ${status.expectedPods} pods are healthy and it needs ${desiredHealthy} (${budget}), so no pod may be evicted until more are healthy`
      : `its ${budget} needs all ${status.expectedPods} pods healthy, so it never allows a voluntary eviction (a drain waits forever)`,
    confidence: 'certain',
    confidenceReason:
      'the budget reports disruptionsAllowed 0 with currentHealthy at or below desiredHealthy',
    evidence: [
      `PodDisruptionBudget ${ref.name} status: disruptionsAllowed 0, currentHealthy ${currentHealthy}, desiredHealthy ${desiredHealthy}, expectedPods ${status.expectedPods}`,
      ...draining
        .slice(0, 2)
        .map((p) => `Pod ${p.metadata?.name} runs on cordoned node ${p.spec?.nodeName}`),
      ...refused,
    ],
  };
}

/** A label selector's verdict on a pod; an empty selector selects every pod, an absent one none. */
export function selects(selector: V1LabelSelector | undefined, pod: V1Pod): boolean {
  if (selector === undefined) return false;
  const labels = pod.metadata?.labels ?? {};
  const byLabel = Object.entries(selector.matchLabels ?? {}).every(([k, v]) => labels[k] === v);
  return (
    byLabel &&
    (selector.matchExpressions ?? []).every((e) => {
      const value = labels[e.key];
      if (e.operator === 'In') return value !== undefined && (e.values ?? []).includes(value);
      if (e.operator === 'NotIn') return value === undefined || !(e.values ?? []).includes(value);
      if (e.operator === 'Exists') return value !== undefined;
      if (e.operator === 'DoesNotExist') return value === undefined;
      return false;
    })
  );
}
