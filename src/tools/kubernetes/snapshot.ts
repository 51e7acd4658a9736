import type {
  CoreV1Event,
  V1Deployment,
  V1Node,
  V1Pod,
  V1ReplicaSet,
} from '@kubernetes/client-node';
import type { Cluster } from './cluster.ts';
import { wrapKubernetesError } from './errors.ts';

/** The objects of one namespace (or cluster) the analyzers look at. Secrets are never part of it. */
export type Snapshot = {
  pods: V1Pod[];
  deployments: V1Deployment[];
  replicaSets: V1ReplicaSet[];
  nodes: V1Node[];
  events: CoreV1Event[];
};

/**
 * One read of what the analyzers look at: pods, deployments, replica sets and events of a
 * namespace (or of every namespace), and the nodes. Five list calls, whatever the cluster's size.
 */
export async function readSnapshot(cluster: Cluster, namespace?: string): Promise<Snapshot> {
  const ns = namespace === undefined ? {} : { namespace };
  const fail = (resource: string) => (error: unknown) => {
    throw wrapKubernetesError(error, { verb: 'list', resource, ...ns });
  };
  const [pods, deployments, replicaSets, events, nodes] = await Promise.all([
    (namespace === undefined
      ? cluster.core.listPodForAllNamespaces()
      : cluster.core.listNamespacedPod({ namespace })
    ).catch(fail('pods')),
    (namespace === undefined
      ? cluster.apps.listDeploymentForAllNamespaces()
      : cluster.apps.listNamespacedDeployment({ namespace })
    ).catch(fail('deployments')),
    (namespace === undefined
      ? cluster.apps.listReplicaSetForAllNamespaces()
      : cluster.apps.listNamespacedReplicaSet({ namespace })
    ).catch(fail('replicasets')),
    (namespace === undefined
      ? cluster.core.listEventForAllNamespaces()
      : cluster.core.listNamespacedEvent({ namespace })
    ).catch(fail('events')),
    cluster.core.listNode().catch((error: unknown) => {
      throw wrapKubernetesError(error, { verb: 'list', resource: 'nodes' });
    }),
  ]);
  return {
    pods: pods.items,
    deployments: deployments.items,
    replicaSets: replicaSets.items,
    events: events.items,
    nodes: nodes.items,
  };
}
