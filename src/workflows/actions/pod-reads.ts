import type { V1Pod } from '@kubernetes/client-node';
import { z } from 'zod';
import { redactText } from '../../policy/redact.ts';
import { type KubeContext, Name, Namespace } from '../../tools/kubernetes/context.ts';
import { wrapKubernetesError } from '../../tools/kubernetes/errors.ts';
import { namespaceScope } from '../../tools/tool.ts';
import { causeOf } from './causes.ts';
import { read } from './read-action.ts';

/** One pod's state and its crashed container's last lines, as outputs a workflow reads. */
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

export const podStatusAction = read({
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

export const analyzeLogsAction = read({
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
  outputs: [
    'cause',
    'pod',
    'namespace',
    'container',
    'exit_code',
    'excerpt',
    'workload',
    'summary',
  ],
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
    const last = lines.at(-1);
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
        summary: `${container.name}: ${cause}${last === undefined ? '' : `; last line: ${last.slice(0, 200)}`}`,
      },
    };
  },
});
