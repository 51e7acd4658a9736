import { parseCpu, parseMemory } from '../../shared/quantity.ts';
import type { KObject } from '../api/store.ts';
import type { Container } from './kubelet.ts';

/**
 * The scheduler's filter step: a pod goes to the least loaded Ready node that tolerates its
 * taints, matches its node selector and has room for its requests. When none does, the reason
 * reads as the real scheduler's: "0/3 nodes are available: 3 Insufficient memory."
 */
type Placement = { node: string } | { reason: string };

type PodSpec = {
  containers?: Container[];
  nodeSelector?: Record<string, string>;
  tolerations?: { key?: string; operator?: string; value?: string; effect?: string }[];
  affinity?: {
    nodeAffinity?: {
      requiredDuringSchedulingIgnoredDuringExecution?: {
        nodeSelectorTerms?: { matchFields?: Requirement[]; matchExpressions?: Requirement[] }[];
      };
    };
  };
};
type Requirement = { key: string; operator: string; values?: string[] };
type NodeSpec = {
  unschedulable?: boolean;
  taints?: { key: string; value?: string; effect: string }[];
};
type NodeStatus = {
  allocatable?: Record<string, string>;
  conditions?: { type: string; status: string }[];
};

function requestsOf(pod: KObject): { cpu: number; memory: number } {
  let cpu = 0;
  let memory = 0;
  for (const c of (pod.spec as PodSpec).containers ?? []) {
    const requests = c.resources?.requests ?? c.resources?.limits ?? {};
    cpu += parseCpu(requests.cpu ?? '0') ?? 0;
    memory += parseMemory(requests.memory ?? '0') ?? 0;
  }
  return { cpu, memory };
}

/** Why the node cannot take the pod whatever its load, or undefined when it can. */
function excluded(spec: PodSpec, node: KObject): string | undefined {
  const nodeSpec = (node.spec ?? {}) as NodeSpec;
  const status = (node.status ?? {}) as NodeStatus;
  const ready = status.conditions?.find((c) => c.type === 'Ready')?.status === 'True';
  if (!ready) return 'node(s) had untolerated taint {node.kubernetes.io/not-ready: }';
  if (nodeSpec.unschedulable === true) return 'node(s) were unschedulable';
  const taint = untoleratedTaint(spec, node);
  if (taint !== undefined)
    return `node(s) had untolerated taint {${taint.key}: ${taint.value ?? ''}}`;
  if (!matchesNode(spec, node)) return "node(s) didn't match Pod's node affinity/selector";
  return undefined;
}

/** The first NoSchedule or NoExecute taint of the node the pod does not tolerate. */
export function untoleratedTaint(
  spec: Pick<PodSpec, 'tolerations'>,
  node: KObject,
): { key: string; value?: string } | undefined {
  return ((node.spec ?? {}) as NodeSpec).taints?.find(
    (t) =>
      (t.effect === 'NoSchedule' || t.effect === 'NoExecute') &&
      !(spec.tolerations ?? []).some(
        (tol) =>
          (tol.effect === undefined || tol.effect === t.effect) &&
          ((tol.operator === 'Exists' && (tol.key === undefined || tol.key === t.key)) ||
            (tol.key === t.key && tol.value === t.value)),
      ),
  );
}

/** The node selector, and the required node affinity's `metadata.name` fields and label terms. */
export function matchesNode(
  spec: Pick<PodSpec, 'nodeSelector' | 'affinity'>,
  node: KObject,
): boolean {
  const labels = node.metadata.labels ?? {};
  if (Object.entries(spec.nodeSelector ?? {}).some(([k, v]) => labels[k] !== v)) return false;
  const terms =
    spec.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms;
  if (terms === undefined || terms.length === 0) return true;
  const holds = (value: string | undefined, r: Requirement) => {
    if (r.operator === 'In') return value !== undefined && (r.values ?? []).includes(value);
    if (r.operator === 'NotIn') return value === undefined || !(r.values ?? []).includes(value);
    if (r.operator === 'Exists') return value !== undefined;
    if (r.operator === 'DoesNotExist') return value === undefined;
    return false;
  };
  return terms.some(
    (term) =>
      (term.matchFields ?? []).every((r) =>
        holds(r.key === 'metadata.name' ? node.metadata.name : undefined, r),
      ) && (term.matchExpressions ?? []).every((r) => holds(labels[r.key], r)),
  );
}

/** What is placed on each node: the sum of its pods' requests, and how many they are. */
export type NodeLoad = Map<string, { cpu: number; memory: number; pods: number }>;

/** The load of every node from the pods bound to it (those not being deleted). */
export function loadOf(pods: readonly KObject[]): NodeLoad {
  const load: NodeLoad = new Map();
  for (const pod of pods) {
    if (pod.metadata.deletionTimestamp === undefined) addToLoad(load, pod);
  }
  return load;
}

/** Counts a pod on its node, as the scheduler's cache does once it has bound the pod. */
export function addToLoad(load: NodeLoad, pod: KObject): void {
  const node = (pod.spec as { nodeName?: string }).nodeName;
  if (node === undefined) return;
  const want = requestsOf(pod);
  const used = load.get(node) ?? { cpu: 0, memory: 0, pods: 0 };
  load.set(node, {
    cpu: used.cpu + want.cpu,
    memory: used.memory + want.memory,
    pods: used.pods + 1,
  });
}

/** Whether the pod's requests fit beside what is placed on the node: the shortfalls, or the load after. */
function roomOn(
  node: KObject,
  load: NodeLoad,
  want: { cpu: number; memory: number },
): { shortfalls: string[]; load: number } {
  const status = (node.status ?? {}) as NodeStatus;
  const used = load.get(node.metadata.name) ?? { cpu: 0, memory: 0, pods: 0 };
  const cpu = parseCpu(status.allocatable?.cpu ?? '0') ?? 0;
  const memory = parseMemory(status.allocatable?.memory ?? '0') ?? 0;
  const maxPods = Number(status.allocatable?.pods ?? '110');
  const shortfalls: string[] = [];
  if (used.pods + 1 > maxPods) shortfalls.push('Too many pods');
  if (used.cpu + want.cpu > cpu) shortfalls.push('Insufficient cpu');
  if (used.memory + want.memory > memory) shortfalls.push('Insufficient memory');
  const after =
    (used.memory + want.memory) / Math.max(memory, 1) + (used.cpu + want.cpu) / Math.max(cpu, 1);
  return { shortfalls, load: after };
}

export function place(pod: KObject, nodes: readonly KObject[], load: NodeLoad): Placement {
  const spec = pod.spec as PodSpec;
  const want = requestsOf(pod);
  const reasons = new Map<string, number>();
  const fail = (reason: string) => reasons.set(reason, (reasons.get(reason) ?? 0) + 1);
  let best: { name: string; load: number } | undefined;
  for (const node of nodes) {
    const reason = excluded(spec, node);
    if (reason !== undefined) {
      fail(reason);
      continue;
    }
    const room = roomOn(node, load, want);
    for (const shortfall of room.shortfalls) fail(shortfall);
    if (room.shortfalls.length > 0) continue;
    if (best === undefined || room.load < best.load)
      best = { name: node.metadata.name, load: room.load };
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
