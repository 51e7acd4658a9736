import type { V1Deployment, V1Pod, V1ReplicaSet } from '@kubernetes/client-node';
import { eventsAbout, type Finding, type ProposedAction, refOf, type Snapshot } from './finding.ts';

const REVISION = 'deployment.kubernetes.io/revision';

/**
 * Findings about deployments whose rollout failed (progress deadline exceeded) or is stuck with
 * the new pods unavailable. Where an earlier revision exists, the fix proposed is to roll back
 * to the newest revision before the current one.
 */
export function analyzeRollouts(snapshot: Snapshot): Finding[] {
  const findings: Finding[] = [];
  for (const deployment of snapshot.deployments) {
    const ref = refOf('Deployment', deployment);
    const status = deployment.status ?? {};
    const wanted = deployment.spec?.replicas ?? 1;
    const progressing = status.conditions?.find((c) => c.type === 'Progressing');
    const failed =
      progressing?.status === 'False' && progressing.reason === 'ProgressDeadlineExceeded';
    const updated = status.updatedReplicas ?? 0;
    const unavailable = status.unavailableReplicas ?? 0;
    const replicaSets = ownedReplicaSets(deployment, snapshot.replicaSets);
    // A first revision has no rollout to speak of: its failing pods are their own findings.
    const stuck =
      !failed &&
      replicaSets.length > 1 &&
      updated > 0 &&
      updated < wanted + 1 &&
      unavailable > 0 &&
      newPodsFailing(deployment, snapshot);
    if (!failed && !stuck) continue;
    const current = revisionOf(deployment);
    const finding: Finding = {
      rule: failed ? 'rollout/progress-deadline' : 'rollout/stuck',
      severity: 'critical',
      object: ref,
      title: `rollout of deployment ${ref.name} ${failed ? 'failed' : 'is stuck'} at revision ${current ?? '?'}`,
      cause: failed
        ? `the new pods did not become available within the progress deadline (${deployment.spec?.progressDeadlineSeconds ?? 600}s)${whyUnavailable(deployment, snapshot)}`
        : `the pods of revision ${current ?? '?'} fail while the previous revision's still run${whyUnavailable(deployment, snapshot)}`,
      confidence: failed ? 'certain' : 'likely',
      confidenceReason: failed
        ? 'the Deployment reports Progressing=False with ProgressDeadlineExceeded'
        : 'the newest ReplicaSet has failing pods and older ones still serve',
      evidence: [
        `Deployment ${ref.name} replicas: ${wanted} wanted, ${updated} updated, ${status.availableReplicas ?? 0} available, ${unavailable} unavailable`,
        ...(progressing
          ? [
              `Deployment ${ref.name} status.conditions[Progressing]: ${progressing.status} (${progressing.reason ?? ''}): ${progressing.message ?? ''}`,
            ]
          : []),
        ...replicaFailure(deployment),
        ...imagesByRevision(replicaSets),
        ...eventsAbout(snapshot.events, ref),
      ],
    };
    const action = rollback(ref, current, replicaSets);
    if (action !== undefined) finding.action = action;
    findings.push(finding);
  }
  return findings;
}

const FAILING = [
  'CrashLoopBackOff',
  'ErrImagePull',
  'ImagePullBackOff',
  'CreateContainerConfigError',
];

function newPods(deployment: V1Deployment, snapshot: Snapshot): V1Pod[] {
  const current = revisionOf(deployment);
  const newest = ownedReplicaSets(deployment, snapshot.replicaSets).find(
    (rs) => revisionOf(rs) === current,
  );
  const name = newest?.metadata?.name;
  if (name === undefined) return [];
  return snapshot.pods.filter((pod) =>
    pod.metadata?.ownerReferences?.some((o) => o.kind === 'ReplicaSet' && o.name === name),
  );
}

function newPodsFailing(deployment: V1Deployment, snapshot: Snapshot): boolean {
  return newPods(deployment, snapshot).some((pod) =>
    (pod.status?.containerStatuses ?? []).some((s) =>
      FAILING.includes(s.state?.waiting?.reason ?? ''),
    ),
  );
}

/** What the new revision's pods are stuck in, counted (`2 CrashLoopBackOff, 1 Pending`), or ''. */
function whyUnavailable(deployment: V1Deployment, snapshot: Snapshot): string {
  const states = new Map<string, number>();
  for (const pod of newPods(deployment, snapshot)) {
    const waiting = (pod.status?.containerStatuses ?? []).find((s) => s.state?.waiting?.reason)
      ?.state?.waiting?.reason;
    const ready = pod.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True');
    const state =
      waiting ??
      (pod.status?.phase === 'Running' && !ready ? 'Running but not ready' : pod.status?.phase);
    if (state === undefined || (state === 'Running' && ready)) continue;
    states.set(state, (states.get(state) ?? 0) + 1);
  }
  const failure = deployment.status?.conditions?.find(
    (c) => c.type === 'ReplicaFailure' && c.status === 'True',
  );
  const parts = [...states].map(([state, n]) => `${n} ${state}`);
  if (failure !== undefined) parts.push(`pods refused: ${failure.message ?? failure.reason ?? ''}`);
  return parts.length === 0 ? '' : `; its new pods: ${parts.join(', ')}`;
}

function replicaFailure(deployment: V1Deployment): string[] {
  const failure = deployment.status?.conditions?.find(
    (c) => c.type === 'ReplicaFailure' && c.status === 'True',
  );
  return failure === undefined
    ? []
    : [
        `Deployment ${deployment.metadata?.name} status.conditions[ReplicaFailure]: ${failure.reason ?? ''}: ${failure.message ?? ''}`,
      ];
}

function rollback(
  ref: { kind: string; namespace?: string; name: string },
  current: number | undefined,
  replicaSets: V1ReplicaSet[],
): ProposedAction | undefined {
  if (current === undefined) return undefined;
  const previous = replicaSets
    .map((rs) => revisionOf(rs))
    .filter((revision): revision is number => revision !== undefined && revision < current)
    .sort((a, b) => b - a)[0];
  if (previous === undefined) return undefined;
  return {
    type: 'rollback',
    target: ref,
    toRevision: previous,
    summary: `roll back deployment ${ref.name} from revision ${current} to revision ${previous}`,
  };
}

function ownedReplicaSets(
  deployment: V1Deployment,
  replicaSets: readonly V1ReplicaSet[],
): V1ReplicaSet[] {
  const uid = deployment.metadata?.uid;
  return replicaSets
    .filter((rs) =>
      rs.metadata?.ownerReferences?.some(
        (o) =>
          o.kind === 'Deployment' &&
          (uid !== undefined ? o.uid === uid : o.name === deployment.metadata?.name),
      ),
    )
    .sort((a, b) => (revisionOf(b) ?? 0) - (revisionOf(a) ?? 0));
}

function imagesByRevision(replicaSets: readonly V1ReplicaSet[]): string[] {
  return replicaSets.slice(0, 3).map((rs) => {
    const images = rs.spec?.template?.spec?.containers.map((c) => c.image).join(', ') ?? '';
    return `revision ${revisionOf(rs) ?? '?'} (${rs.metadata?.name}): ${images}, ${rs.status?.availableReplicas ?? 0} available`;
  });
}

function revisionOf(object: {
  metadata?: { annotations?: Record<string, string> };
}): number | undefined {
  const value = Number(object.metadata?.annotations?.[REVISION]);
  return Number.isInteger(value) && value > 0 ? value : undefined;
}
