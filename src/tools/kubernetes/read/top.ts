import { z } from 'zod';
import { CoxswainError } from '../../../errors.ts';
import { formatMemory, parseCpu, parseMemory } from '../../../shared/quantity.ts';
import { defineTool, namespaceScope } from '../../tool.ts';
import { ApiException } from '../api-exception.ts';
import type { KubeContext } from '../context.ts';
import { Namespace } from '../context.ts';
import { wrapKubernetesError } from '../errors.ts';
import { columns, limited } from '../format.ts';

const Usage = z.object({ cpu: z.string().optional(), memory: z.string().optional() });
const PodMetricsList = z.object({
  items: z.array(
    z.object({
      metadata: z.object({ name: z.string() }),
      containers: z.array(z.object({ name: z.string(), usage: Usage })).default([]),
    }),
  ),
});
const NodeMetricsList = z.object({
  items: z.array(z.object({ metadata: z.object({ name: z.string() }), usage: Usage })),
});

/** Metrics responses are checked like any input from outside. */
function parseMetrics<T>(schema: z.ZodType<T>, body: unknown): T {
  const parsed = schema.safeParse(body);
  if (!parsed.success) {
    throw new CoxswainError(
      'kubernetes_api',
      'the metrics API answered in a shape Coxswain does not read',
    );
  }
  return parsed.data;
}

export const top = defineTool({
  name: 'top',
  description:
    'Current CPU and memory use from the metrics API (metrics-server): of the pods in a namespace, or of the nodes when no namespace is given. Highest memory first.',
  verb: 'top',
  scope: (input) => namespaceScope(input.namespace),
  input: z.object({
    namespace: Namespace.optional().describe('Namespace whose pods to show; omit for nodes'),
  }),
  async run({ cluster }: KubeContext, input) {
    const group = { group: 'metrics.k8s.io', version: 'v1beta1' };
    try {
      if (input.namespace === undefined) {
        const list = parseMetrics(
          NodeMetricsList,
          await cluster.custom.listClusterCustomObject({ ...group, plural: 'nodes' }),
        );
        const rows = list.items
          .map((n) => ({
            name: n.metadata.name,
            cpu: cores(n.usage.cpu),
            memory: bytes(n.usage.memory),
          }))
          .sort((a, b) => b.memory - a.memory)
          .map((n) => [n.name, `${n.cpu}m`, formatMemory(n.memory)]);
        return columns(['NODE', 'CPU', 'MEMORY'], rows);
      }
      const list = parseMetrics(
        PodMetricsList,
        await cluster.custom.listNamespacedCustomObject({
          ...group,
          namespace: input.namespace,
          plural: 'pods',
        }),
      );
      if (list.items.length === 0)
        return `no running pods with metrics in namespace ${input.namespace}`;
      const pods = list.items
        .map((p) => ({
          name: p.metadata.name,
          cpu: p.containers.reduce((sum, c) => sum + cores(c.usage.cpu), 0),
          memory: p.containers.reduce((sum, c) => sum + bytes(c.usage.memory), 0),
        }))
        .sort((a, b) => b.memory - a.memory);
      const { shown, note } = limited(pods, 60, 'pods');
      return (
        columns(
          ['POD', 'CPU', 'MEMORY'],
          shown.map((p) => [p.name, `${p.cpu}m`, formatMemory(p.memory)]),
        ) + note
      );
    } catch (error) {
      if (error instanceof ApiException && error.code === 404) {
        throw new CoxswainError(
          'kubernetes_api',
          `metrics are not available in cluster ${cluster.name}: the metrics API (metrics.k8s.io, served by metrics-server) is not installed`,
        );
      }
      throw wrapKubernetesError(error, {
        verb: 'read metrics of',
        resource: input.namespace ? 'pods' : 'nodes',
        ...(input.namespace ? { namespace: input.namespace } : {}),
      });
    }
  },
});

/** Metrics quantities come in nanocores (`12345n`) or millicores; this gives millicores. */
function cores(value: string | undefined): number {
  if (value === undefined) return 0;
  if (value.endsWith('n')) return Math.round(Number(value.slice(0, -1)) / 1e6);
  if (value.endsWith('u')) return Math.round(Number(value.slice(0, -1)) / 1e3);
  return parseCpu(value) ?? 0;
}

function bytes(value: string | undefined): number {
  return value === undefined ? 0 : (parseMemory(value) ?? 0);
}
