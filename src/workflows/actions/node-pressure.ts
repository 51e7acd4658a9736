import { z } from 'zod';
import { inScope } from '../../policy/command-scope.ts';
import { parseMemory } from '../../shared/quantity.ts';
import { deploymentOf } from '../../tools/kubernetes/analyzers/pods.ts';
import { type KubeContext, Name } from '../../tools/kubernetes/context.ts';
import { readSnapshot } from '../../tools/kubernetes/snapshot.ts';
import { read, VISIBLE_ONLY } from './read-action.ts';

/** A node's pressure and the pods on it using the most memory, as outputs a workflow reads. */
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

export const nodePressureAction = read({
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
