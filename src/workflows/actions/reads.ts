import type { V1Pod } from '@kubernetes/client-node';
import { z } from 'zod';
import { diagnose } from '../../commands/diagnose.ts';
import { readClusterHealth, renderStatus } from '../../commands/status.ts';
import { inScope } from '../../policy/command-scope.ts';
import { redactText } from '../../policy/redact.ts';
import { parseMemory } from '../../shared/quantity.ts';
import { deploymentOf } from '../../tools/kubernetes/analyzers/pods.ts';
import { type KubeContext, Name, Namespace } from '../../tools/kubernetes/context.ts';
import { wrapKubernetesError } from '../../tools/kubernetes/errors.ts';
import { readSnapshot } from '../../tools/kubernetes/snapshot.ts';
import { namespaceScope, type ToolScope } from '../../tools/tool.ts';
import { causeOf, diagnosisOutputs } from './causes.ts';

/**
 * The reads a workflow step can run as an action, each giving named outputs that later steps
 * read (`steps.diagnose.outputs.cause`), besides the text a person reads.
 */
export type ReadResult = { text: string; outputs: Record<string, unknown> };

export type ReadAction<Input extends z.ZodType = z.ZodType> = {
  kind: 'read';
  name: string;
  description: string;
  input: Input;
  /** The outputs it always gives: what a step's `outputs` may declare. */
  outputs: readonly string[];
  scope(input: z.infer<Input>): ToolScope;
  run(kube: KubeContext, input: z.infer<Input>): Promise<ReadResult>;
};

const read = <Input extends z.ZodType>(action: ReadAction<Input>): ReadAction<Input> => action;

/** Nodes and what the channel may see: whole-cluster reads are narrowed to the visible namespaces. */
const VISIBLE_ONLY = (): ToolScope => ({ namespaces: [] });

const diagnoseAction = read({
  kind: 'read',
  name: 'diagnose',
  description: 'Run the analyzers on a namespace, or one pod or deployment in it',
  input: z.strictObject({
    namespace: Namespace,
    pod: Name.optional(),
    deployment: Name.optional(),
  }),
  outputs: [
    'cause',
    'summary',
    'severity',
    'findings',
    'pod',
    'namespace',
    'container',
    'workload',
    'memory_limit',
    'fixes',
  ],
  scope: (input) => namespaceScope(input.namespace),
  async run(kube, input) {
    const target =
      input.pod !== undefined
        ? { kind: 'Pod' as const, name: input.pod }
        : input.deployment !== undefined
          ? { kind: 'Deployment' as const, name: input.deployment }
          : undefined;
    const diagnosis = await diagnose(kube.cluster, {
      namespace: input.namespace,
      visible: kube.namespaces ?? ['*'],
      ...(target === undefined ? {} : { target }),
    });
    const outputs = diagnosisOutputs(diagnosis.findings, input.namespace);
    const lines = diagnosis.findings
      .slice(0, 8)
      .flatMap((f) => [`- ${f.title}`, ...f.evidence.slice(0, 3).map((e) => `    ${e}`)]);
    return { text: lines.join('\n') || `no problems found in ${input.namespace}`, outputs };
  },
});

const clusterStatusAction = read({
  kind: 'read',
  name: 'cluster-status',
  description:
    'Nodes, failing pods and deployments not available, in the namespaces the run may see',
  input: z.strictObject({}),
  outputs: [
    'healthy',
    'summary',
    'nodes_not_ready',
    'node_conditions',
    'problem_namespaces',
    'pods_unhealthy',
    'deployments_unavailable',
  ],
  scope: VISIBLE_ONLY,
  async run(kube) {
    const health = await readClusterHealth(kube.cluster);
    const status = renderStatus(health, kube.namespaces ?? ['*']);
    const conditions = health.nodes.flatMap((n) => n.conditions.map((c) => `${n.name}: ${c}`));
    const notReady = health.nodes.filter((n) => !n.ready).map((n) => n.name);
    const healthy =
      notReady.length === 0 && conditions.length === 0 && status.problemNamespaces.length === 0;
    const problems = Object.entries(health.namespaces)
      .filter(([ns, h]) => inScope(kube.namespaces ?? ['*'], ns) && h.problems.length > 0)
      .map(([ns, h]) => `${ns}: ${h.problems.join('; ')}`);
    const summary = [
      `${status.nodes.ready}/${status.nodes.total} nodes ready`,
      `${status.pods.healthy}/${status.pods.total} pods healthy`,
      `${status.deployments.available}/${status.deployments.total} deployments available`,
      ...(conditions.length === 0 ? [] : [`node conditions: ${conditions.join(', ')}`]),
    ].join('; ');
    return {
      text: [summary, ...problems].join('\n'),
      outputs: {
        healthy,
        summary,
        nodes_not_ready: notReady,
        node_conditions: conditions,
        problem_namespaces: status.problemNamespaces,
        pods_unhealthy: status.pods.total - status.pods.healthy,
        deployments_unavailable: status.deployments.total - status.deployments.available,
      },
    };
  },
});

async function readPod(kube: KubeContext, namespace: string, name: string): Promise<V1Pod> {
  return kube.cluster.core.readNamespacedPod({ namespace, name }).catch((error: unknown) => {
    throw wrapKubernetesError(error, { verb: 'get', resource: 'pods', namespace, name });
  });
}

/** The container that restarted most (or the first), with what ended it last. */
function containerOf(pod: V1Pod, wanted?: string) {
  const statuses = pod.status?.containerStatuses ?? [];
  const status =
    statuses.find((s) => s.name === wanted) ??
    [...statuses].sort((a, b) => b.restartCount - a.restartCount)[0];
  const last = status?.lastState?.terminated;
  return {
    name: status?.name ?? wanted ?? pod.spec?.containers[0]?.name ?? '',
    restarts: status?.restartCount ?? 0,
    ready: status?.ready ?? false,
    waiting: status?.state?.waiting?.reason ?? '',
    lastReason: last?.reason ?? '',
    exitCode: last?.exitCode ?? null,
  };
}

const podStatusAction = read({
  kind: 'read',
  name: 'get-pod-status',
  description: "A pod's phase, readiness, restarts and why its container last ended",
  input: z.strictObject({ namespace: Namespace, pod: Name }),
  outputs: [
    'pod',
    'namespace',
    'phase',
    'ready',
    'restarts',
    'reason',
    'last_termination',
    'exit_code',
    'container',
    'node',
    'workload',
  ],
  scope: (input) => namespaceScope(input.namespace),
  async run(kube, input) {
    const pod = await readPod(kube, input.namespace, input.pod);
    const container = containerOf(pod);
    const owner = ownerName(pod);
    const outputs = {
      pod: input.pod,
      namespace: input.namespace,
      phase: pod.status?.phase ?? 'Unknown',
      ready: container.ready,
      restarts: container.restarts,
      reason: container.waiting,
      last_termination: container.lastReason,
      exit_code: container.exitCode,
      container: container.name,
      node: pod.spec?.nodeName ?? '',
      workload: owner,
    };
    const text = `pod ${input.namespace}/${input.pod}: ${outputs.phase}, ${container.restarts} restarts${container.waiting ? `, ${container.waiting}` : ''}${container.lastReason ? `, last ended ${container.lastReason} (exit ${container.exitCode})` : ''}`;
    return { text, outputs };
  },
});

/** The Deployment a pod belongs to, read from its ReplicaSet's name (`app-5d9c7b-x2` → `app`). */
function ownerName(pod: V1Pod): string {
  const rs = pod.metadata?.ownerReferences?.find((o) => o.kind === 'ReplicaSet');
  if (rs === undefined) return pod.metadata?.ownerReferences?.[0]?.name ?? '';
  return rs.name.replace(/-[a-z0-9]{5,10}$/, '');
}

const analyzeLogsAction = read({
  kind: 'read',
  name: 'analyze-logs',
  description:
    "Read the last lines of a pod's crashed container (or its current one) and say what ended it",
  input: z.strictObject({
    namespace: Namespace,
    pod: Name,
    container: z.string().max(63).optional(),
    lines: z.number().int().min(1).max(500).default(100),
  }),
  outputs: ['cause', 'pod', 'namespace', 'container', 'exit_code', 'excerpt', 'workload'],
  scope: (input) => namespaceScope(input.namespace),
  async run(kube, input) {
    const pod = await readPod(kube, input.namespace, input.pod);
    const container = containerOf(pod, input.container);
    const log = await kube.cluster.core
      .readNamespacedPodLog({
        name: input.pod,
        namespace: input.namespace,
        container: container.name,
        previous: container.restarts > 0,
        tailLines: input.lines,
      })
      .catch(() => '');
    const lines = redactText(String(log)).split('\n').filter(Boolean);
    const cause = causeOf(container.lastReason, container.exitCode, container.waiting, lines);
    const excerpt = lines.slice(-20).join('\n');
    return {
      text: `${input.namespace}/${input.pod} (${container.name}): ${cause}${excerpt ? `\n${excerpt}` : ''}`,
      outputs: {
        cause,
        pod: input.pod,
        namespace: input.namespace,
        container: container.name,
        exit_code: container.exitCode,
        excerpt,
        workload: ownerName(pod),
      },
    };
  },
});

const rolloutHistoryAction = read({
  kind: 'read',
  name: 'rollout-history',
  description: "A deployment's revisions, newest first, with each one's images",
  input: z.strictObject({ namespace: Namespace, deployment: Name }),
  outputs: ['current', 'previous', 'revisions', 'images', 'summary'],
  scope: (input) => namespaceScope(input.namespace),
  async run(kube, input) {
    const deployment = await kube.cluster.apps
      .readNamespacedDeployment({ namespace: input.namespace, name: input.deployment })
      .catch((error: unknown) => {
        throw wrapKubernetesError(error, {
          verb: 'get',
          resource: 'deployments',
          namespace: input.namespace,
          name: input.deployment,
        });
      });
    const sets = await kube.cluster.apps.listNamespacedReplicaSet({ namespace: input.namespace });
    const uid = deployment.metadata?.uid;
    const revisions = sets.items
      .filter((rs) => rs.metadata?.ownerReferences?.some((o) => o.uid === uid))
      .map((rs) => ({
        revision: Number(rs.metadata?.annotations?.['deployment.kubernetes.io/revision'] ?? 0),
        images: (rs.spec?.template?.spec?.containers ?? []).map((c) => c.image ?? '').join(', '),
        replicas: rs.status?.replicas ?? 0,
      }))
      .sort((a, b) => b.revision - a.revision);
    const current = revisions[0]?.revision ?? 0;
    const previous = revisions[1]?.revision ?? 0;
    const text = revisions
      .map(
        (r) => `revision ${r.revision}${r.revision === current ? ' (current)' : ''}: ${r.images}`,
      )
      .join('\n');
    return {
      text: text || `deployment ${input.namespace}/${input.deployment} has no revisions`,
      outputs: {
        current,
        previous,
        revisions,
        images: revisions[0]?.images ?? '',
        summary:
          revisions.length === 0
            ? 'no revisions'
            : revisions
                .slice(0, 3)
                .map((r) => `revision ${r.revision}: ${r.images}`)
                .join('; '),
      },
    };
  },
});

const PodMetrics = z.object({
  items: z.array(
    z.object({
      metadata: z.object({ name: z.string(), namespace: z.string().optional() }),
      containers: z
        .array(z.object({ name: z.string(), usage: z.object({ memory: z.string().optional() }) }))
        .default([]),
    }),
  ),
});

/** Memory each pod's containers use now (metrics API), by `namespace/pod`; empty without metrics. */
async function podMemory(kube: KubeContext): Promise<Map<string, number>> {
  try {
    const body = await kube.cluster.custom.listClusterCustomObject({
      group: 'metrics.k8s.io',
      version: 'v1beta1',
      plural: 'pods',
    });
    const parsed = PodMetrics.safeParse(body);
    if (!parsed.success) return new Map();
    return new Map(
      parsed.data.items.map((item) => [
        `${item.metadata.namespace ?? ''}/${item.metadata.name}`,
        item.containers.reduce((sum, c) => sum + (parseMemory(c.usage.memory ?? '') ?? 0), 0),
      ]),
    );
  } catch {
    return new Map();
  }
}

const MI = 1024 * 1024;

/** A quantity in Mi, rounded up to a multiple of 64Mi: what a request or limit is set to. */
function roundedMi(bytes: number): string {
  return `${Math.ceil(bytes / (64 * MI)) * 64}Mi`;
}

const nodePressureAction = read({
  kind: 'read',
  name: 'node-pressure',
  description:
    "A node's pressure conditions and the pods on it using the most memory (from the metrics API, else their limits or requests), with what the top one should request",
  input: z.strictObject({ node: Name }),
  outputs: [
    'node',
    'conditions',
    'pods',
    'pod',
    'namespace',
    'workload',
    'container',
    'memory_used',
    'memory_request',
    'suggested_request',
    'suggested_limit',
  ],
  scope: VISIBLE_ONLY,
  async run(kube, input) {
    const [snapshot, used] = await Promise.all([readSnapshot(kube.cluster), podMemory(kube)]);
    const node = snapshot.nodes.find((n) => n.metadata?.name === input.node);
    const conditions = (node?.status?.conditions ?? [])
      .filter((c) => c.type !== 'Ready' && c.status === 'True')
      .map((c) => c.type);
    const pods = snapshot.pods
      .filter((p) => p.spec?.nodeName === input.node && !p.metadata?.deletionTimestamp)
      .filter((p) => inScope(kube.namespaces ?? ['*'], p.metadata?.namespace))
      .map((p) => {
        const container = p.spec?.containers[0];
        const request = container?.resources?.requests?.memory ?? '';
        const declared = container?.resources?.limits?.memory ?? request;
        const key = `${p.metadata?.namespace ?? ''}/${p.metadata?.name ?? ''}`;
        return {
          namespace: p.metadata?.namespace ?? '',
          pod: p.metadata?.name ?? '',
          container: container?.name ?? '',
          request,
          bytes: used.get(key) ?? parseMemory(declared) ?? 0,
          workload: deploymentOf(p, snapshot.replicaSets)?.name ?? '',
        };
      })
      .sort((a, b) => b.bytes - a.bytes);
    const top = pods[0];
    const usedText = (bytes: number) => `${Math.round(bytes / MI)}Mi`;
    const owner = snapshot.deployments.find(
      (d) => d.metadata?.namespace === top?.namespace && d.metadata?.name === top?.workload,
    );
    const text = [
      node === undefined
        ? `node ${input.node} not found`
        : `node ${input.node}: ${conditions.join(', ') || 'no pressure'}`,
      ...pods
        .slice(0, 10)
        .map(
          (p) =>
            `${p.namespace}/${p.pod}: uses ${usedText(p.bytes)}, requests ${p.request || 'nothing'}`,
        ),
    ].join('\n');
    return {
      text,
      outputs: {
        node: input.node,
        conditions,
        pods: pods.slice(0, 10).map((p) => ({
          namespace: p.namespace,
          pod: p.pod,
          workload: p.workload,
          memory: usedText(p.bytes),
        })),
        pod: top?.pod ?? '',
        namespace: top?.namespace ?? '',
        workload: top?.workload ?? '',
        replicas: owner?.spec?.replicas ?? 0,
        container: top?.container ?? '',
        memory_used: top === undefined ? '' : usedText(top.bytes),
        memory_request: top?.request ?? '',
        suggested_request: top === undefined ? '' : roundedMi(top.bytes),
        suggested_limit: top === undefined ? '' : roundedMi(top.bytes * 1.25),
      },
    };
  },
});

export const WORKFLOW_READS = [
  diagnoseAction,
  clusterStatusAction,
  podStatusAction,
  analyzeLogsAction,
  rolloutHistoryAction,
  nodePressureAction,
] as const;
