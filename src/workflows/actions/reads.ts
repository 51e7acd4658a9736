import { z } from 'zod';
import { diagnose } from '../../commands/diagnose.ts';
import { readClusterHealth, renderStatus } from '../../commands/status.ts';
import { inScope } from '../../policy/command-scope.ts';
import { Name, Namespace } from '../../tools/kubernetes/context.ts';
import { wrapKubernetesError } from '../../tools/kubernetes/errors.ts';
import { causeLines } from '../../tools/kubernetes/finding-lead.ts';
import { namespaceScope } from '../../tools/tool.ts';
import { diagnosisOutputs } from './causes.ts';
import { nodePressureAction } from './node-pressure.ts';
import { analyzeLogsAction, podStatusAction } from './pod-reads.ts';
import { read, VISIBLE_ONLY } from './read-action.ts';

export type { ReadAction, ReadResult } from './read-action.ts';

/** The reads made for workflows, each with the outputs later steps read. */
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
      .flatMap((f) => [
        `- ${f.title}`,
        ...causeLines(f).map((line) => `    ${line}`),
        ...f.evidence.slice(0, 3).map((e) => `    ${e}`),
      ]);
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
    const healthy = status.problemNodes.length === 0 && status.problemNamespaces.length === 0;
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

export const WORKFLOW_READS = [
  diagnoseAction,
  clusterStatusAction,
  podStatusAction,
  analyzeLogsAction,
  rolloutHistoryAction,
  nodePressureAction,
] as const;
