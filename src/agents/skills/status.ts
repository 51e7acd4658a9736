import type { V1Deployment, V1Node, V1Pod } from '@kubernetes/client-node';
import { inScope } from '../../policy/command-scope.ts';
import { type ChatMessageInput, fitMessage } from '../../queue/message.ts';
import type { Cluster } from '../../tools/kubernetes/cluster.ts';
import { wrapKubernetesError } from '../../tools/kubernetes/errors.ts';
import { columns, podStatus, restarts } from '../../tools/kubernetes/format.ts';

/**
 * `status`: the cluster's health at a glance — nodes and their conditions, the namespaces with
 * problems and what the problems are, and counts. Three list calls.
 */
export type ClusterStatus = {
  nodes: { ready: number; total: number };
  pods: { healthy: number; total: number };
  deployments: { available: number; total: number };
  problemNamespaces: string[];
  message: ChatMessageInput;
};

const HEALTHY = new Set(['Running', 'Succeeded', 'Completed']);

export async function clusterStatus(
  cluster: Cluster,
  namespaces: readonly string[] = ['*'],
): Promise<ClusterStatus> {
  const [nodes, allPods, allDeployments] = await Promise.all([
    cluster.core.listNode(),
    cluster.core.listPodForAllNamespaces(),
    cluster.apps.listDeploymentForAllNamespaces(),
  ]).catch((error: unknown) => {
    throw wrapKubernetesError(error, { verb: 'list', resource: 'nodes, pods and deployments' });
  });
  // A channel bound to some namespaces sees only those; nodes are shared, so all are shown.
  const pods = { items: allPods.items.filter((p) => inScope(namespaces, p.metadata?.namespace)) };
  const deployments = {
    items: allDeployments.items.filter((d) => inScope(namespaces, d.metadata?.namespace)),
  };
  const readyNodes = nodes.items.filter(isReady).length;
  const healthyPods = pods.items.filter(isHealthy).length;
  const available = deployments.items.filter(isAvailable).length;
  const problems = namespaceProblems(pods.items, deployments.items);
  const nodeRows = nodes.items.map((n) => {
    const pressure = (n.status?.conditions ?? [])
      .filter((c) => c.type !== 'Ready' && c.status === 'True')
      .map((c) => c.type);
    return [
      n.metadata?.name ?? '',
      isReady(n) ? 'Ready' : 'NotReady',
      pressure.length === 0 ? '-' : pressure.join(','),
      n.spec?.unschedulable ? 'cordoned' : '-',
    ];
  });
  const tone = readyNodes < nodes.items.length || problems.size > 0 ? 'warning' : 'resolved';
  const message = fitMessage({
    headline: `Cluster ${cluster.name}: ${problems.size === 0 && readyNodes === nodes.items.length ? 'healthy' : `${problems.size} namespace${problems.size === 1 ? '' : 's'} with problems`}`,
    tone,
    fields: [
      { label: 'Nodes ready', value: `${readyNodes}/${nodes.items.length}` },
      { label: 'Pods healthy', value: `${healthyPods}/${pods.items.length}` },
      { label: 'Deployments available', value: `${available}/${deployments.items.length}` },
      {
        label: 'Namespaces',
        value: String(new Set(pods.items.map((p) => p.metadata?.namespace)).size),
      },
    ],
    sections: [
      { title: 'Nodes', code: columns(['NODE', 'STATUS', 'CONDITIONS', 'SCHEDULING'], nodeRows) },
      ...(problems.size === 0
        ? []
        : [
            {
              title: 'Namespaces with problems',
              code: [...problems].map(([ns, lines]) => `${ns}: ${lines.join('; ')}`).join('\n'),
            },
          ]),
    ],
    // One click away from the findings: a diagnose button per namespace with problems.
    buttons: [...problems.keys()].slice(0, 5).map((ns) => ({
      action: 'command' as const,
      label: `Diagnose ${ns}`,
      value: `diagnose -n ${ns}`,
      style: 'primary' as const,
    })),
    footer: `Next: diagnose -n NAMESPACE for findings and proposed fixes`,
  });
  return {
    nodes: { ready: readyNodes, total: nodes.items.length },
    pods: { healthy: healthyPods, total: pods.items.length },
    deployments: { available, total: deployments.items.length },
    problemNamespaces: [...problems.keys()],
    message,
  };
}

function isReady(node: V1Node): boolean {
  return node.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') === true;
}

function isHealthy(pod: V1Pod): boolean {
  const status = podStatus(pod);
  if (status === 'Completed' || pod.status?.phase === 'Succeeded') return true;
  return HEALTHY.has(status) && (pod.status?.containerStatuses ?? []).every((s) => s.ready);
}

function isAvailable(d: V1Deployment): boolean {
  return (
    (d.status?.availableReplicas ?? 0) >= (d.spec?.replicas ?? 1) &&
    (d.status?.updatedReplicas ?? 0) >= (d.spec?.replicas ?? 1)
  );
}

/** Per namespace, what is wrong, counted by pod status and rollout. */
function namespaceProblems(pods: V1Pod[], deployments: V1Deployment[]): Map<string, string[]> {
  const byNamespace = new Map<string, Map<string, string[]>>();
  for (const pod of pods) {
    if (isHealthy(pod)) continue;
    const ns = pod.metadata?.namespace ?? 'default';
    const status = podStatus(pod) === 'Running' ? 'Running but not ready' : podStatus(pod);
    const statuses = byNamespace.get(ns) ?? new Map<string, string[]>();
    statuses.set(status, [
      ...(statuses.get(status) ?? []),
      `${pod.metadata?.name}${restarts(pod) > 0 ? ` (${restarts(pod)} restarts)` : ''}`,
    ]);
    byNamespace.set(ns, statuses);
  }
  const out = new Map<string, string[]>();
  for (const [ns, statuses] of [...byNamespace].sort(([a], [b]) => a.localeCompare(b))) {
    out.set(
      ns,
      [...statuses].map(
        ([status, names]) =>
          `${names.length} ${status} (${names.slice(0, 2).join(', ')}${names.length > 2 ? ', …' : ''})`,
      ),
    );
  }
  for (const d of deployments) {
    const failed = d.status?.conditions?.some(
      (c) => c.type === 'Progressing' && c.reason === 'ProgressDeadlineExceeded',
    );
    if (!failed) continue;
    const ns = d.metadata?.namespace ?? 'default';
    out.set(ns, [...(out.get(ns) ?? []), `rollout of deployment ${d.metadata?.name} failed`]);
  }
  return out;
}
