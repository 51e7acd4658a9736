import type { V1Pod, V1ReplicaSet } from '@kubernetes/client-node';
import type { ObjectRef } from './finding.ts';

/** The Deployment a pod belongs to, through its ReplicaSet, when it has one. */
export function deploymentOf(
  pod: V1Pod,
  replicaSets: readonly V1ReplicaSet[],
): ObjectRef | undefined {
  const rsOwner = pod.metadata?.ownerReferences?.find((o) => o.kind === 'ReplicaSet');
  if (rsOwner === undefined) return undefined;
  const rs = replicaSets.find(
    (r) => r.metadata?.name === rsOwner.name && r.metadata?.namespace === pod.metadata?.namespace,
  );
  const deployment = rs?.metadata?.ownerReferences?.find((o) => o.kind === 'Deployment');
  if (deployment === undefined) return undefined;
  const ref: ObjectRef = { kind: 'Deployment', name: deployment.name };
  if (pod.metadata?.namespace !== undefined) ref.namespace = pod.metadata.namespace;
  return ref;
}
