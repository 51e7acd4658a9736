import { z } from 'zod';
import { type ChatMessageInput, fitMessage } from '../chat/message.ts';
import { inScope } from '../policy/command-scope.ts';
import type { Cluster } from '../tools/kubernetes/cluster.ts';
import { wrapKubernetesError } from '../tools/kubernetes/errors.ts';
import { columns, podStatus, restarts } from '../tools/kubernetes/format.ts';
import { listPages } from '../tools/kubernetes/list-pages.ts';
import {
  DeploymentFacts,
  NodeFacts,
  PodFacts,
  STATUS_SOURCES,
  type StatusSource,
} from './status-sources.ts';

/**
 * `status`: the cluster's health at a glance — nodes and their conditions, the namespaces with
 * problems and what the problems are, and counts. Three cluster-wide lists (nodes, pods,
 * deployments), paged at `PAGE_SIZE` items a request, whatever the number of namespaces, and
 * never a request per namespace or per pod: 5,000 pods are five requests. They are read once
 * into a health record kept per namespace (`readClusterHealth`), so that one reading can be shown
 * to each channel or person for the namespaces they are bound to (`renderStatus`).
 */
export const PAGE_SIZE = 1_000;

type ClusterStatus = {
  nodes: { ready: number; total: number };
  pods: { healthy: number; total: number };
  deployments: { available: number; total: number };
  problemNamespaces: string[];
  /** Nodes not Ready, under pressure (or any other condition) or cordoned. */
  problemNodes: string[];
  message: ChatMessageInput;
};

const Count = z.object({ ok: z.number().int().min(0), total: z.number().int().min(0) });
const NamespaceHealth = z.object({
  pods: Count,
  deployments: Count,
  /** What is wrong, counted by pod status and rollout; empty when nothing is. */
  problems: z.array(z.string()),
});
type NamespaceHealth = z.infer<typeof NamespaceHealth>;

/** One reading of a cluster: nodes (shared by every namespace) and each namespace's health. */
export const ClusterHealth = z.object({
  cluster: z.string(),
  nodes: z.array(
    z.object({
      name: z.string(),
      ready: z.boolean(),
      conditions: z.array(z.string()),
      cordoned: z.boolean(),
    }),
  ),
  namespaces: z.record(z.string(), NamespaceHealth),
});
export type ClusterHealth = z.infer<typeof ClusterHealth>;

const HEALTHY = new Set(['Running', 'Succeeded', 'Completed']);

export async function clusterStatus(
  cluster: Cluster,
  namespaces: readonly string[] = ['*'],
): Promise<ClusterStatus> {
  return renderStatus(await readClusterHealth(cluster), namespaces);
}

export async function readClusterHealth(
  cluster: Cluster,
  pageSize = PAGE_SIZE,
): Promise<ClusterHealth> {
  const list = <T>(name: StatusSource['name'], schema: z.ZodType<T>) =>
    listPages(cluster, pathOf(name), schema, pageSize);
  const [nodes, pods, deployments] = await Promise.all([
    list('nodes', NodeFacts),
    list('pods', PodFacts),
    list('deployments', DeploymentFacts),
  ]).catch((error: unknown) => {
    throw wrapKubernetesError(error, { verb: 'list', resource: 'nodes, pods and deployments' });
  });
  const byNamespace = new Map<string, NamespaceHealth>();
  const entry = (ns: string | undefined) => {
    const name = ns ?? 'default';
    const found = byNamespace.get(name) ?? {
      pods: { ok: 0, total: 0 },
      deployments: { ok: 0, total: 0 },
      problems: [],
    };
    byNamespace.set(name, found);
    return found;
  };
  for (const pod of pods) {
    const health = entry(pod.metadata?.namespace);
    health.pods.total++;
    if (isHealthy(pod)) health.pods.ok++;
  }
  for (const d of deployments) {
    const health = entry(d.metadata?.namespace);
    health.deployments.total++;
    if (isAvailable(d)) health.deployments.ok++;
  }
  for (const [ns, lines] of namespaceProblems(pods, deployments)) entry(ns).problems = lines;
  return {
    cluster: cluster.name,
    nodes: nodes.map((n) => ({
      name: n.metadata?.name ?? '',
      ready: isReady(n),
      conditions: (n.status?.conditions ?? [])
        .filter((c) => c.type !== 'Ready' && c.status === 'True')
        .map((c) => c.type),
      cordoned: n.spec?.unschedulable === true,
    })),
    namespaces: Object.fromEntries(byNamespace),
  };
}

/**
 * The status message for the namespaces a channel or person is bound to (globs): their pods,
 * deployments and problems only; nodes are shared, so all are shown.
 */
export function renderStatus(health: ClusterHealth, namespaces: readonly string[]): ClusterStatus {
  const seen = Object.entries(health.namespaces)
    .filter(([ns]) => inScope(namespaces, ns))
    .sort(([a], [b]) => a.localeCompare(b));
  const sum = (pick: (h: NamespaceHealth) => { ok: number; total: number }) =>
    seen.reduce((acc, [, h]) => ({ ok: acc.ok + pick(h).ok, total: acc.total + pick(h).total }), {
      ok: 0,
      total: 0,
    });
  const pods = sum((h) => h.pods);
  const deployments = sum((h) => h.deployments);
  const problems = new Map(
    seen.filter(([, h]) => h.problems.length > 0).map(([ns, h]) => [ns, h.problems]),
  );
  const readyNodes = health.nodes.filter((n) => n.ready).length;
  const nodeRows = health.nodes.map((n) => [
    n.name,
    n.ready ? 'Ready' : 'NotReady',
    n.conditions.length === 0 ? '-' : n.conditions.join(','),
    n.cordoned ? 'cordoned' : '-',
  ]);
  const problemNodes = health.nodes.filter(hasNodeProblem).map((n) => n.name);
  const tone = problemNodes.length > 0 || problems.size > 0 ? 'warning' : 'resolved';
  const message = fitMessage({
    headline: `Cluster ${health.cluster}: ${verdict(problems.size, problemNodes.length)}`,
    tone,
    fields: [
      { label: 'Nodes ready', value: `${readyNodes}/${health.nodes.length}` },
      { label: 'Pods healthy', value: `${pods.ok}/${pods.total}` },
      { label: 'Deployments available', value: `${deployments.ok}/${deployments.total}` },
      { label: 'Namespaces', value: String(seen.filter(([, h]) => h.pods.total > 0).length) },
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
    nodes: { ready: readyNodes, total: health.nodes.length },
    pods: { healthy: pods.ok, total: pods.total },
    deployments: { available: deployments.ok, total: deployments.total },
    problemNamespaces: [...problems.keys()],
    problemNodes,
    message,
  };
}

/**
 * A node is a problem when it is not Ready, reports any other condition (memory, disk or PID
 * pressure, network unavailable: the kubelet sets them True only when something is wrong), or is
 * cordoned. A cluster with one such node is not healthy, whatever its namespaces say.
 */
function hasNodeProblem(node: ClusterHealth['nodes'][number]): boolean {
  return !node.ready || node.conditions.length > 0 || node.cordoned;
}

function verdict(namespaces: number, nodes: number): string {
  if (namespaces === 0 && nodes === 0) return 'healthy';
  const count = (n: number, what: string) => `${n} ${what}${n === 1 ? '' : 's'} with problems`;
  return [
    ...(namespaces > 0 || nodes === 0 ? [count(namespaces, 'namespace')] : []),
    ...(nodes > 0 ? [count(nodes, 'node')] : []),
  ].join(', ');
}

function pathOf(name: StatusSource['name']): string {
  return STATUS_SOURCES.find((s) => s.name === name)?.path ?? '';
}

function isReady(node: NodeFacts): boolean {
  return node.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') === true;
}

function isHealthy(pod: PodFacts): boolean {
  const status = podStatus(pod);
  if (status === 'Completed' || pod.status?.phase === 'Succeeded') return true;
  return HEALTHY.has(status) && (pod.status?.containerStatuses ?? []).every((s) => s.ready);
}

function isAvailable(d: DeploymentFacts): boolean {
  return (
    (d.status?.availableReplicas ?? 0) >= (d.spec?.replicas ?? 1) &&
    (d.status?.updatedReplicas ?? 0) >= (d.spec?.replicas ?? 1)
  );
}

/** Per namespace, what is wrong, counted by pod status and rollout. */
function namespaceProblems(
  pods: readonly PodFacts[],
  deployments: readonly DeploymentFacts[],
): Map<string, string[]> {
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
