import type { V1Deployment } from '@kubernetes/client-node';
import type { Cluster } from '../cluster.ts';
import { KubernetesError } from '../errors.ts';
import type { KubeAction } from './action.ts';
import { markerOf, operationSet, verifyOperation } from './argo-operation.ts';
import { dryRun, refuseUnfit } from './dry-run.ts';
import { type Ref, readTarget } from './target-api.ts';

/**
 * What execution needs around `executeAction`: whether an approved change is in place already
 * (a worker that died after writing it), a fresh proposal of the same change when the target
 * moved on, and the check that the change did what it was for.
 */
function refOf(action: KubeAction): Ref {
  const t = action.target;
  return { apiVersion: t.apiVersion, kind: t.kind, name: t.name, namespace: t.namespace };
}

/** True when applying the change now would change nothing: it was applied already. */
export async function alreadyApplied(cluster: Cluster, action: KubeAction): Promise<boolean> {
  let current: Awaited<ReturnType<typeof readTarget>>;
  try {
    current = await readTarget(cluster, refOf(action));
  } catch (error) {
    // A deleted pod is what a delete was for.
    if (error instanceof KubernetesError && error.status === 404)
      return action.change.method === 'delete';
    throw error;
  }
  if (action.change.method === 'delete') return current.metadata?.uid !== action.target.uid;
  // The controller clears `operation` once it has run it: its marker tells it was set.
  const marker = markerOf(action);
  if (marker !== undefined) return operationSet(current, marker);
  // Decided on the real objects: a redacted diff can read "no change" when a secret changed.
  const fresh = await dryRun(cluster, refOf(action), current, action.change);
  return fresh.leaves.length === 0;
}

/**
 * The same change, proposed again against the target as it is now; undefined when there is
 * nothing to propose (the target is gone, or the change is in place).
 */
export async function proposeAgain(
  cluster: Cluster,
  action: KubeAction,
): Promise<KubeAction | undefined> {
  let current: Awaited<ReturnType<typeof readTarget>>;
  try {
    current = await readTarget(cluster, refOf(action));
  } catch (error) {
    if (error instanceof KubernetesError && error.status === 404) return undefined;
    throw error;
  }
  const uid = current.metadata?.uid;
  const resourceVersion = current.metadata?.resourceVersion;
  if (uid === undefined || resourceVersion === undefined) return undefined;
  const marker = markerOf(action);
  if (marker !== undefined && operationSet(current, marker)) return undefined;
  const fresh = await dryRun(cluster, refOf(action), current, action.change);
  if (fresh.leaves.length === 0) return undefined;
  refuseUnfit(refOf(action), fresh, action.change, action.type);
  return {
    ...action,
    target: { ...action.target, uid, resourceVersion },
    changes: fresh.changes,
    diff: fresh.diff,
    digest: fresh.digest,
  };
}

/**
 * Whether the change did what it was for: a deployment's rollout completes (all replicas updated
 * and available), a deleted pod is gone. Waits up to `timeoutMs`; says what it saw either way.
 */
export async function verifyOutcome(
  cluster: Cluster,
  action: KubeAction,
  timeoutMs = 90_000,
): Promise<{ ok: boolean; text: string }> {
  const ref = refOf(action);
  if (markerOf(action) !== undefined) return verifyOperation(cluster, ref, action, timeoutMs);
  const deadline = Date.now() + timeoutMs;
  let last = '';
  while (true) {
    if (ref.kind === 'Deployment') {
      const d = (await readTarget(cluster, ref)) as V1Deployment;
      const want = d.spec?.replicas ?? 1;
      const updated = d.status?.updatedReplicas ?? 0;
      const available = d.status?.availableReplicas ?? 0;
      const current = (d.status?.observedGeneration ?? 0) >= (d.metadata?.generation ?? 0);
      last = `${updated}/${want} pods updated, ${available}/${want} available`;
      if (current && updated === want && available === want && (d.status?.replicas ?? 0) === want)
        return { ok: true, text: `Rollout complete: ${last}.` };
    } else if (ref.kind === 'Pod' && action.change.method === 'delete') {
      if (await alreadyApplied(cluster, action)) return { ok: true, text: 'The pod is gone.' };
      last = 'the pod is still terminating';
    } else {
      return { ok: true, text: 'Applied.' };
    }
    if (Date.now() >= deadline)
      return { ok: false, text: `Not settled after ${Math.round(timeoutMs / 1000)} s: ${last}.` };
    await new Promise((resolve) => setTimeout(resolve, 1_000));
  }
}
