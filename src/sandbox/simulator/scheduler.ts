import { parseCpu, parseMemory } from '../../shared/quantity.ts';
import type { KObject } from '../api/store.ts';
import type { Container } from './kubelet.ts';

/**
 * The scheduler's filter step: a pod goes to the least loaded Ready node that tolerates its
 * taints, matches its node selector and has room for its requests. When none does, the reason
 * reads as the real scheduler's: "0/3 nodes are available: 3 Insufficient memory."
 */
export type Placement = { node: string } | { reason: string };

type PodSpec = {
  containers?: Container[];
  nodeSelector?: Record<string, string>;
  tolerations?: { key?: string; operator?: string; value?: string; effect?: string }[];
};
type NodeSpec = {
  unschedulable?: boolean;
  taints?: { key: string; value?: string; effect: string }[];
};
type NodeStatus = {
  allocatable?: Record<string, string>;
  conditions?: { type: string; status: string }[];
};

export function requestsOf(pod: KObject): { cpu: number; memory: number } {
  let cpu = 0;
  let memory = 0;
  for (const c of (pod.spec as PodSpec).containers ?? []) {
    const requests = c.resources?.requests ?? c.resources?.limits ?? {};
    cpu += parseCpu(requests.cpu ?? '0') ?? 0;
    memory += parseMemory(requests.memory ?? '0') ?? 0;
  }
  return { cpu, memory };
}

export function place(pod: KObject, nodes: KObject[], placed: KObject[]): Placement {
  const spec = pod.spec as PodSpec;
  const want = requestsOf(pod);
  const reasons = new Map<string, number>();
  const fail = (reason: string) => reasons.set(reason, (reasons.get(reason) ?? 0) + 1);
  let best: { name: string; load: number } | undefined;
  for (const node of nodes) {
    const nodeSpec = (node.spec ?? {}) as NodeSpec;
    const status = (node.status ?? {}) as NodeStatus;
    const ready = status.conditions?.find((c) => c.type === 'Ready')?.status === 'True';
    if (!ready) {
      fail('node(s) had untolerated taint {node.kubernetes.io/not-ready: }');
      continue;
    }
    if (nodeSpec.unschedulable === true) {
      fail('node(s) were unschedulable');
      continue;
    }
    const taint = (nodeSpec.taints ?? []).find(
      (t) =>
        (t.effect === 'NoSchedule' || t.effect === 'NoExecute') &&
        !(spec.tolerations ?? []).some(
          (tol) =>
            (tol.operator === 'Exists' && (tol.key === undefined || tol.key === t.key)) ||
            (tol.key === t.key && tol.value === t.value),
        ),
    );
    if (taint !== undefined) {
      fail(`node(s) had untolerated taint {${taint.key}: ${taint.value ?? ''}}`);
      continue;
    }
    const labels = node.metadata.labels ?? {};
    if (Object.entries(spec.nodeSelector ?? {}).some(([k, v]) => labels[k] !== v)) {
      fail("node(s) didn't match Pod's node affinity/selector");
      continue;
    }
    const onNode = placed.filter(
      (p) => (p.spec as { nodeName?: string }).nodeName === node.metadata.name,
    );
    const used = onNode
      .map(requestsOf)
      .reduce((a, b) => ({ cpu: a.cpu + b.cpu, memory: a.memory + b.memory }), {
        cpu: 0,
        memory: 0,
      });
    const cpu = parseCpu(status.allocatable?.cpu ?? '0') ?? 0;
    const memory = parseMemory(status.allocatable?.memory ?? '0') ?? 0;
    const maxPods = Number(status.allocatable?.pods ?? '110');
    let fits = true;
    if (onNode.length + 1 > maxPods) {
      fail('Too many pods');
      fits = false;
    }
    if (used.cpu + want.cpu > cpu) {
      fail('Insufficient cpu');
      fits = false;
    }
    if (used.memory + want.memory > memory) {
      fail('Insufficient memory');
      fits = false;
    }
    if (!fits) continue;
    const load =
      (used.memory + want.memory) / Math.max(memory, 1) + (used.cpu + want.cpu) / Math.max(cpu, 1);
    if (best === undefined || load < best.load) best = { name: node.metadata.name, load };
  }
  if (best !== undefined) return { node: best.name };
  const detail = [...reasons]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([reason, count]) => `${count} ${reason}`)
    .join(', ');
  return {
    reason: `0/${nodes.length} nodes are available: ${detail}. preemption: 0/${nodes.length} nodes are available: ${nodes.length} No preemption victims found for incoming pod.`,
  };
}
