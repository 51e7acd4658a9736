import { formatMemory, parseMemory } from '../../shared/quantity.ts';
import { findResource, type ResourceType } from '../api/catalog.ts';
import type { KObject, ObjectStore } from '../api/store.ts';
import { type EventRecorder, stamp } from './events.ts';

/**
 * What nodes report: their conditions (Ready unless the scenario stopped the kubelet;
 * MemoryPressure from what runs on them, with its taint and events) and the metrics API's view
 * of pod and node usage.
 */
export type Usage = (pod: KObject) => { name: string; cpu: number; memory: number }[];

const PODS = findResource('', 'v1', 'pods') as ResourceType;
const NODES = findResource('', 'v1', 'nodes') as ResourceType;
const SYSTEM_MEMORY = 900 * 2 ** 20;
const PRESSURE_SHARE = 0.9;

type PodSpec = { nodeName?: string };

export function podMetrics(
  store: ObjectStore,
  namespace: string | undefined,
  usage: Usage,
): KObject[] {
  return store
    .view(PODS, namespace)
    .filter((pod) => usage(pod).length > 0)
    .map((pod) => ({
      apiVersion: 'metrics.k8s.io/v1beta1',
      kind: 'PodMetrics',
      metadata: {
        name: pod.metadata.name,
        namespace: pod.metadata.namespace ?? 'default',
        creationTimestamp: stamp(store.now()),
        labels: pod.metadata.labels ?? {},
      },
      timestamp: stamp(store.now()),
      window: '15s',
      containers: usage(pod).map((u) => ({
        name: u.name,
        usage: { cpu: `${Math.round(u.cpu * 1e6)}n`, memory: `${Math.round(u.memory / 1024)}Ki` },
      })),
    }));
}

export function nodeMetrics(store: ObjectStore, usage: Usage): KObject[] {
  const pods = store.view(PODS);
  return store.view(NODES).map((node) => {
    const used = nodeUsage(node, pods, usage);
    return {
      apiVersion: 'metrics.k8s.io/v1beta1',
      kind: 'NodeMetrics',
      metadata: {
        name: node.metadata.name,
        creationTimestamp: stamp(store.now()),
        labels: node.metadata.labels ?? {},
      },
      timestamp: stamp(store.now()),
      window: '20s',
      usage: {
        cpu: `${Math.round(used.cpu * 1e6)}n`,
        memory: `${Math.round(used.memory / 1024)}Ki`,
      },
    };
  });
}

/** What the node's system and its pods' containers use now. */
export function nodeUsage(
  node: KObject,
  pods: readonly KObject[],
  usage: Usage,
): { cpu: number; memory: number } {
  let cpu = 180;
  let memory = SYSTEM_MEMORY;
  for (const pod of pods) {
    if ((pod.spec as PodSpec).nodeName !== node.metadata.name) continue;
    for (const u of usage(pod)) {
      cpu += u.cpu;
      memory += u.memory;
    }
  }
  return { cpu, memory };
}

type NodeStatus = { allocatable?: Record<string, string>; conditions?: Record<string, unknown>[] };
type NodeSpec = { taints?: { key: string; effect: string }[] };
type Memory = { used: number; allocatable: number; pressure: boolean };

const PRESSURE_TAINT = 'node.kubernetes.io/memory-pressure';

/** The kubelet's four conditions; a condition keeps its times while its status holds. */
function nodeConditions(
  previous: Record<string, unknown>[],
  memory: Memory,
  stopped: boolean,
  now: string,
): Record<string, unknown>[] {
  const cond = (type: string, value: string, reason: string, message: string) => {
    const before = previous.find((c) => c.type === type);
    return {
      type,
      status: value,
      lastHeartbeatTime: before?.status === value ? before.lastHeartbeatTime : now,
      lastTransitionTime: before?.status === value ? before.lastTransitionTime : now,
      reason,
      message,
    };
  };
  return [
    memory.pressure
      ? cond(
          'MemoryPressure',
          'True',
          'KubeletHasInsufficientMemory',
          `kubelet has insufficient memory available (${formatMemory(memory.used)} of ${formatMemory(memory.allocatable)} in use)`,
        )
      : cond(
          'MemoryPressure',
          'False',
          'KubeletHasSufficientMemory',
          'kubelet has sufficient memory available',
        ),
    cond('DiskPressure', 'False', 'KubeletHasNoDiskPressure', 'kubelet has no disk pressure'),
    cond('PIDPressure', 'False', 'KubeletHasSufficientPID', 'kubelet has sufficient PID available'),
    stopped
      ? cond('Ready', 'Unknown', 'NodeStatusUnknown', 'Kubelet stopped posting node status.')
      : cond('Ready', 'True', 'KubeletReady', 'kubelet is posting ready status'),
  ];
}

/** The events a kubelet records when memory pressure starts or ends. */
function recordPressureChange(
  events: EventRecorder,
  node: KObject,
  pressure: boolean,
  wasPressure: boolean,
): void {
  const source = { component: 'kubelet', host: node.metadata.name };
  if (pressure && !wasPressure) {
    events.record(
      node,
      'Normal',
      'NodeHasInsufficientMemory',
      `Node ${node.metadata.name} status is now: NodeHasInsufficientMemory`,
      source,
    );
    events.record(node, 'Warning', 'EvictionThresholdMet', 'Attempting to reclaim memory', source);
  }
  if (!pressure && wasPressure) {
    events.record(
      node,
      'Normal',
      'NodeHasSufficientMemory',
      `Node ${node.metadata.name} status is now: NodeHasSufficientMemory`,
      source,
    );
  }
}

/** The node's spec with the memory-pressure taint while under pressure, and without it otherwise. */
function taintedSpec(spec: NodeSpec, pressure: boolean): NodeSpec {
  const taints = (spec.taints ?? []).filter((t) => t.key !== PRESSURE_TAINT);
  if (pressure) taints.push({ key: PRESSURE_TAINT, effect: 'NoSchedule' });
  const next = { ...spec, taints };
  if (taints.length === 0) delete (next as NodeSpec).taints;
  return next;
}

function reconcileNode(
  store: ObjectStore,
  events: EventRecorder,
  node: KObject,
  pods: readonly KObject[],
  usage: Usage,
  held: boolean,
): void {
  const status = (node.status ?? {}) as NodeStatus;
  const allocatable = parseMemory(status.allocatable?.memory ?? '0') ?? 0;
  const used = nodeUsage(node, pods, usage).memory;
  const pressure = (allocatable > 0 && used > allocatable * PRESSURE_SHARE) || held;
  const stopped = node.metadata.annotations?.['sandbox.coxswain.dev/kubelet'] === 'stopped';
  const previous = status.conditions ?? [];
  const memory = { used, allocatable, pressure };
  const conditions = nodeConditions(previous, memory, stopped, stamp(store.now()));
  const wasPressure = previous.some((c) => c.type === 'MemoryPressure' && c.status === 'True');
  if (JSON.stringify(conditions) === JSON.stringify(previous)) return;
  const spec = (node.spec ?? {}) as NodeSpec;
  recordPressureChange(events, node, pressure, wasPressure);
  const nextSpec = taintedSpec(spec, pressure);
  const updated =
    JSON.stringify(nextSpec) === JSON.stringify(spec)
      ? node
      : store.replace(NODES, { ...node, spec: nextSpec });
  store.writeStatus(NODES, { ...updated, status: { ...status, conditions } });
}

/**
 * Ready unless the scenario stopped the node's kubelet; MemoryPressure from what runs on it, or
 * while `held` says the node evicted a pod lately (the kubelet's pressure transition period).
 */
export function reconcileNodes(
  store: ObjectStore,
  events: EventRecorder,
  usage: Usage,
  held: (node: string) => boolean = () => false,
): void {
  const pods = store.view(PODS);
  for (const node of store.view(NODES))
    reconcileNode(store, events, node, pods, usage, held(node.metadata.name));
}
