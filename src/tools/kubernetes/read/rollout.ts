import type { V1Deployment, V1ReplicaSet } from '@kubernetes/client-node';
import { z } from 'zod';
import { defineTool, namespaceScope } from '../../tool.ts';
import type { Cluster } from '../cluster.ts';
import type { KubeContext } from '../context.ts';
import { Name, Namespace } from '../context.ts';
import { wrapKubernetesError } from '../errors.ts';
import { age, columns } from '../format.ts';

const REVISION = 'deployment.kubernetes.io/revision';

export const rolloutStatus = defineTool({
  name: 'rollout_status',
  description:
    "A deployment's rollout: whether it finished, is progressing or failed (progress deadline), replica counts, and its revision history with each revision's images.",
  verb: 'get',
  scope: (input) => namespaceScope(input.namespace),
  input: z.object({ namespace: Namespace, name: Name.describe('Deployment name') }),
  async run({ cluster }: KubeContext, input) {
    const { deployment, replicaSets } = await readRollout(cluster, input.namespace, input.name);
    return `${rolloutSummary(deployment)}\n\nrevisions:\n${history(deployment, replicaSets)}`;
  },
});

export async function readRollout(cluster: Cluster, namespace: string, name: string) {
  const attempt = { verb: 'read', resource: 'deployment', namespace, name };
  const deployment = await cluster.apps
    .readNamespacedDeployment({ name, namespace })
    .catch((error: unknown) => {
      throw wrapKubernetesError(error, attempt);
    });
  const replicaSets = await cluster.apps
    .listNamespacedReplicaSet({ namespace })
    .catch((error: unknown) => {
      throw wrapKubernetesError(error, { verb: 'list', resource: 'replicasets', namespace });
    });
  const owned = replicaSets.items.filter((rs) =>
    rs.metadata?.ownerReferences?.some((o) => o.uid === deployment.metadata?.uid),
  );
  return { deployment, replicaSets: owned.sort((a, b) => revisionOf(b) - revisionOf(a)) };
}

/** kubectl's reading of rollout status, in one line. */
export function rolloutSummary(deployment: V1Deployment): string {
  const name = deployment.metadata?.name;
  const wanted = deployment.spec?.replicas ?? 1;
  const s = deployment.status ?? {};
  const counts = `${wanted} wanted, ${s.updatedReplicas ?? 0} updated, ${s.readyReplicas ?? 0} ready, ${s.availableReplicas ?? 0} available`;
  const progressing = s.conditions?.find((c) => c.type === 'Progressing');
  let state: string;
  if ((s.observedGeneration ?? 0) < (deployment.metadata?.generation ?? 0))
    state = 'waiting for the controller to see the latest change';
  else if (progressing?.reason === 'ProgressDeadlineExceeded')
    state = `FAILED: ${progressing.message ?? 'progress deadline exceeded'}`;
  else if ((s.updatedReplicas ?? 0) < wanted)
    state = `in progress: ${s.updatedReplicas ?? 0} of ${wanted} new replicas updated`;
  else if ((s.replicas ?? 0) > (s.updatedReplicas ?? 0))
    state = `in progress: ${(s.replicas ?? 0) - (s.updatedReplicas ?? 0)} old replicas pending termination`;
  else if ((s.availableReplicas ?? 0) < (s.updatedReplicas ?? 0))
    state = `in progress: ${s.availableReplicas ?? 0} of ${s.updatedReplicas} updated replicas available`;
  else state = 'complete';
  return `deployment ${name} at revision ${deployment.metadata?.annotations?.[REVISION] ?? '?'}: rollout ${state} (${counts})`;
}

export function history(deployment: V1Deployment, replicaSets: readonly V1ReplicaSet[]): string {
  const current = deployment.metadata?.annotations?.[REVISION];
  const rows = replicaSets.map((rs) => [
    `${revisionOf(rs)}${String(revisionOf(rs)) === current ? ' (current)' : ''}`,
    rs.metadata?.name ?? '',
    (rs.spec?.template?.spec?.containers ?? []).map((c) => c.image).join(','),
    `${rs.status?.readyReplicas ?? 0}/${rs.spec?.replicas ?? 0}`,
    rs.metadata?.annotations?.['kubernetes.io/change-cause'] ?? '-',
    age(rs.metadata?.creationTimestamp),
  ]);
  return columns(['REVISION', 'REPLICASET', 'IMAGES', 'READY', 'CHANGE-CAUSE', 'AGE'], rows);
}

export function revisionOf(object: {
  metadata?: { annotations?: Record<string, string> };
}): number {
  return Number(object.metadata?.annotations?.[REVISION] ?? 0) || 0;
}
