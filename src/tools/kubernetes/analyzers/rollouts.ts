import type { V1Deployment, V1ReplicaSet } from '@kubernetes/client-node';
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
      rule: failed ? 'rollout-failed' : 'rollout-stuck',
      severity: 'critical',
      object: ref,
      title: `rollout of deployment ${ref.name} ${failed ? 'failed' : 'is stuck'} at revision ${current ?? '?'}`,
      cause: failed
        ? `the new pods did not become available within the progress deadline${progressing?.message ? `: ${progressing.message}` : ''}`
        : `the pods of revision ${current ?? '?'} fail while the previous revision's still run`,
      confidence: failed ? 'certain' : 'likely',
      confidenceReason: failed
        ? 'the Deployment reports Progressing=False with ProgressDeadlineExceeded'
        : 'the newest ReplicaSet has failing pods and older ones still serve',
      evidence: [
        `replicas: ${wanted} wanted, ${updated} updated, ${status.availableReplicas ?? 0} available, ${unavailable} unavailable`,
        ...(progressing
          ? [
              `Progressing=${progressing.status} (${progressing.reason ?? ''}): ${progressing.message ?? ''}`,
            ]
          : []),
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

function newPodsFailing(deployment: V1Deployment, snapshot: Snapshot): boolean {
  const current = revisionOf(deployment);
  const newest = ownedReplicaSets(deployment, snapshot.replicaSets).find(
    (rs) => revisionOf(rs) === current,
  );
  const name = newest?.metadata?.name;
  if (name === undefined) return false;
  return snapshot.pods.some(
    (pod) =>
      pod.metadata?.ownerReferences?.some((o) => o.kind === 'ReplicaSet' && o.name === name) &&
      (pod.status?.containerStatuses ?? []).some((s) =>
        [
          'CrashLoopBackOff',
          'ErrImagePull',
          'ImagePullBackOff',
          'CreateContainerConfigError',
        ].includes(s.state?.waiting?.reason ?? ''),
      ),
  );
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
