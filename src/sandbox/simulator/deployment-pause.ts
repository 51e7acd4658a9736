import type { KObject } from '../api/store.ts';
import { type Condition, pausedCondition, resumedCondition } from './deployment-conditions.ts';
import { stamp } from './events.ts';

/**
 * What the deployment controller does for `spec.paused`: pausing and resuming are a sync of
 * their own that only say so in the Progressing condition (DeploymentPaused, then
 * DeploymentResumed, status Unknown), so that a paused rollout never times out; and while paused
 * on a template no replica set has, nothing is up to date.
 */
type Status = { conditions?: Condition[]; [key: string]: unknown };

/** The status that says a deployment was paused or resumed, or undefined when neither happened. */
export function pauseTransition(
  deployment: KObject,
  now: Date,
): { status: Status; resumed: boolean } | undefined {
  const paused = (deployment.spec as { paused?: boolean } | undefined)?.paused === true;
  const status = (deployment.status ?? {}) as Status;
  const progressing = status.conditions?.find((c) => c.type === 'Progressing');
  // A rollout that already timed out keeps saying so, as the real controller's does.
  if (progressing?.reason === 'ProgressDeadlineExceeded') return undefined;
  if (paused === (progressing?.reason === 'DeploymentPaused')) return undefined;
  const next = paused ? pausedCondition() : resumedCondition();
  const conditions = [
    ...(status.conditions ?? []).filter((c) => c.type !== 'Progressing'),
    { ...next, lastUpdateTime: stamp(now), lastTransitionTime: stamp(now) },
  ];
  return {
    status: { ...status, observedGeneration: deployment.metadata.generation, conditions },
    resumed: !paused,
  };
}

/** A paused deployment's status while no replica set has its template: none up to date. */
export function pausedStatus(
  deployment: KObject,
  pods: KObject[],
  ready: (pod: KObject) => boolean,
  available: (pod: KObject) => boolean,
): Status {
  const wanted = (deployment.spec as { replicas?: number } | undefined)?.replicas ?? 1;
  const availableCount = pods.filter(available).length;
  const {
    updatedReplicas: _u,
    unavailableReplicas: _n,
    ...old
  } = (deployment.status ?? {}) as Status;
  const status: Status = {
    ...old,
    observedGeneration: deployment.metadata.generation,
    replicas: pods.length,
    readyReplicas: pods.filter(ready).length,
    availableReplicas: availableCount,
  };
  if (wanted - availableCount > 0) status.unavailableReplicas = wanted - availableCount;
  for (const key of ['readyReplicas', 'availableReplicas', 'replicas']) {
    if (status[key] === 0) delete status[key];
  }
  return status;
}
