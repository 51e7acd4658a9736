import type { V1Pod } from '@kubernetes/client-node';
import { z } from 'zod';
import { defineTool, namespaceScope } from '../../tool.ts';
import type { KubeContext } from '../context.ts';
import { Namespace } from '../context.ts';
import { wrapKubernetesError } from '../errors.ts';
import {
  age,
  columns,
  lastTermination,
  limited,
  podStatus,
  readyCount,
  restarts,
} from '../format.ts';

const MAX_PODS = 60;

export const listPods = defineTool({
  name: 'list_pods',
  description:
    'List pods with phase, readiness, restarts, the last termination reason and exit code, node and age. Use it first to find failing pods.',
  verb: 'list',
  scope: (input) => namespaceScope(input.namespace),
  input: z.object({
    namespace: Namespace.optional().describe('Namespace; omit for all namespaces'),
    labelSelector: z.string().max(300).optional().describe('Label selector, e.g. app=payments-api'),
    fieldSelector: z
      .string()
      .max(300)
      .optional()
      .describe('Field selector, e.g. status.phase!=Running'),
  }),
  async run({ cluster }: KubeContext, input) {
    const query = {
      ...(input.labelSelector === undefined ? {} : { labelSelector: input.labelSelector }),
      ...(input.fieldSelector === undefined ? {} : { fieldSelector: input.fieldSelector }),
    };
    const request =
      input.namespace === undefined
        ? cluster.core.listPodForAllNamespaces(query)
        : cluster.core.listNamespacedPod({ namespace: input.namespace, ...query });
    const list = await request.catch((error: unknown) => {
      throw wrapKubernetesError(error, {
        verb: 'list',
        resource: 'pods',
        ...(input.namespace ? { namespace: input.namespace } : {}),
      });
    });
    return formatPods(list.items, input.namespace);
  },
});

export function formatPods(pods: readonly V1Pod[], namespace: string | undefined): string {
  if (pods.length === 0)
    return `no pods ${namespace ? `in namespace ${namespace}` : 'in any namespace'}`;
  const all = namespace === undefined;
  const { shown, note } = limited(sortByTrouble(pods), MAX_PODS, 'pods');
  const rows = shown.map((pod) => [
    ...(all ? [pod.metadata?.namespace ?? ''] : []),
    pod.metadata?.name ?? '',
    readyCount(pod),
    podStatus(pod),
    String(restarts(pod)),
    lastTermination(pod.status?.containerStatuses ?? []),
    pod.spec?.nodeName ?? '-',
    age(pod.metadata?.creationTimestamp),
  ]);
  const header = [
    ...(all ? ['NAMESPACE'] : []),
    'NAME',
    'READY',
    'STATUS',
    'RESTARTS',
    'LAST TERMINATION',
    'NODE',
    'AGE',
  ];
  return `${pods.length} pods${namespace ? ` in ${namespace}` : ''}, failing first:\n${columns(header, rows)}${note}`;
}

/** Pods that are not Running and ready come first, so a long list shows trouble before it is cut. */
function sortByTrouble(pods: readonly V1Pod[]): V1Pod[] {
  const healthy = (pod: V1Pod) =>
    podStatus(pod) === 'Running' &&
    readyCount(pod)
      .split('/')
      .every((n, _, a) => n === a[0]);
  return [...pods].sort(
    (a, b) => Number(healthy(a)) - Number(healthy(b)) || restarts(b) - restarts(a),
  );
}
