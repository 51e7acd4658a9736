import type { V1Node, V1Pod } from '@kubernetes/client-node';
import { z } from 'zod';
import { parseCpu, parseMemory } from '../../../shared/quantity.ts';
import { defineTool } from '../../tool.ts';
import type { KubeContext } from '../context.ts';
import { wrapKubernetesError } from '../errors.ts';
import { age, columns } from '../format.ts';

const PRESSURE = ['MemoryPressure', 'DiskPressure', 'PIDPressure', 'NetworkUnavailable'];

export const listNodes = defineTool({
  name: 'nodes',
  description:
    'Nodes with readiness, pressure conditions (memory, disk, PID), taints, how much of their CPU and memory is requested, and pod counts.',
  verb: 'list',
  // Nodes show no namespace's objects, so any binding may list them.
  scope: () => ({ namespaces: [] }),
  input: z.object({}),
  async run({ cluster }: KubeContext) {
    const [nodes, pods] = await Promise.all([
      cluster.core.listNode(),
      cluster.core.listPodForAllNamespaces({
        fieldSelector: 'status.phase!=Succeeded,status.phase!=Failed',
      }),
    ]).catch((error: unknown) => {
      throw wrapKubernetesError(error, { verb: 'list', resource: 'nodes' });
    });
    return formatNodes(nodes.items, pods.items);
  },
});

export function formatNodes(nodes: readonly V1Node[], pods: readonly V1Pod[]): string {
  const rows = nodes.map((node) => {
    const name = node.metadata?.name ?? '';
    const conditions = node.status?.conditions ?? [];
    const ready = conditions.find((c) => c.type === 'Ready');
    const pressure = conditions
      .filter((c) => PRESSURE.includes(c.type) && c.status === 'True')
      .map((c) => c.type);
    const onNode = pods.filter((p) => p.spec?.nodeName === name);
    const requested = onNode
      .flatMap((p) => p.spec?.containers ?? [])
      .reduce(
        (sum, c) => ({
          cpu: sum.cpu + (parseCpu(c.resources?.requests?.cpu ?? '0') ?? 0),
          memory: sum.memory + (parseMemory(c.resources?.requests?.memory ?? '0') ?? 0),
        }),
        { cpu: 0, memory: 0 },
      );
    const cpu = parseCpu(node.status?.allocatable?.cpu ?? '0') ?? 0;
    const memory = parseMemory(node.status?.allocatable?.memory ?? '0') ?? 0;
    const share = (used: number, total: number) =>
      total > 0 ? `${Math.round((used / total) * 100)}%` : '?';
    const taints = (node.spec?.taints ?? []).map((t) => `${t.key}:${t.effect}`);
    return [
      name,
      ready?.status === 'True' ? 'Ready' : `NotReady (${ready?.reason ?? 'no status'})`,
      pressure.length === 0 ? '-' : pressure.join(','),
      share(requested.cpu, cpu),
      share(requested.memory, memory),
      `${onNode.length}/${node.status?.allocatable?.pods ?? '?'}`,
      taints.length === 0 ? '-' : taints.join(','),
      age(node.metadata?.creationTimestamp),
    ];
  });
  const details = nodes.flatMap((node) =>
    (node.status?.conditions ?? [])
      .filter((c) => (c.type === 'Ready' ? c.status !== 'True' : c.status === 'True'))
      .map(
        (c) =>
          `${node.metadata?.name}: ${c.type}=${c.status} since ${age(c.lastTransitionTime)}: ${c.message ?? c.reason ?? ''}`,
      ),
  );
  const table = columns(
    ['NAME', 'STATUS', 'PRESSURE', 'CPU REQ', 'MEM REQ', 'PODS', 'TAINTS', 'AGE'],
    rows,
  );
  return details.length === 0
    ? table
    : `${table}\n\nconditions needing attention:\n${details.join('\n')}`;
}
