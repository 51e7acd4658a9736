import { formatMemory, parseMemory } from '../../shared/quantity.ts';
import { findResource, type ResourceType } from '../api/catalog.ts';
import type { KObject, ObjectStore } from '../api/store.ts';
import { stamp } from './events.ts';
import { nodeUsage, type Usage } from './nodes.ts';
import type { PodStatus } from './pod-status.ts';

/**
 * The kubelet's eviction manager for memory: when a node's memory.available (capacity less what
 * runs) falls below the default hard threshold of 100Mi, it fails one pod per monitoring interval,
 * the one using most memory beyond its request, and keeps reporting MemoryPressure for the
 * pressure transition period after, so the evicted pod's replacement does not land there at once.
 */
const PODS = findResource('', 'v1', 'pods') as ResourceType;
const NODES = findResource('', 'v1', 'nodes') as ResourceType;
const THRESHOLD = 100 * 2 ** 20;
const MONITORING_MS = 10_000;
const TRANSITION_MS = 5 * 60_000;

export type Eviction = { node: KObject; pod: KObject; message: string };

type Container = { name: string; resources?: { requests?: Record<string, string> } };
type PodSpec = { nodeName?: string; containers?: Container[]; priority?: number };

export class EvictionManager {
  /** When each node last evicted a pod. */
  readonly #last = new Map<string, number>();
  /** The status message of each pod evicted, by uid. */
  readonly #evicted = new Map<string, string>();

  /** The pods to evict at `now`: at most one a node, and none within a monitoring interval. */
  choose(store: ObjectStore, usage: Usage, now: number): Eviction[] {
    const pods = store.view(PODS).filter(running);
    const chosen: Eviction[] = [];
    for (const node of store.view(NODES)) {
      if (now - (this.#last.get(node.metadata.name) ?? Number.NEGATIVE_INFINITY) < MONITORING_MS)
        continue;
      const capacity = parseMemory(capacityOf(node)) ?? 0;
      const available = capacity - nodeUsage(node, pods, usage).memory;
      if (capacity === 0 || available >= THRESHOLD) continue;
      const mine = pods.filter((p) => (p.spec as PodSpec).nodeName === node.metadata.name);
      const victim = rank(mine, usage)[0];
      if (victim === undefined) continue;
      this.#last.set(node.metadata.name, now);
      const message = evictionMessage(victim, usage, available);
      this.#evicted.set(victim.metadata.uid ?? '', message);
      chosen.push({ node, pod: victim, message });
    }
    return chosen;
  }

  /** The message the pod was evicted with, if it was. */
  evicted(uid: string): string | undefined {
    return this.#evicted.get(uid);
  }

  forget(uid: string): void {
    this.#evicted.delete(uid);
  }

  /** Whether the node evicted within the pressure transition period. */
  holdsPressure(node: string, now: number): boolean {
    return now - (this.#last.get(node) ?? Number.NEGATIVE_INFINITY) < TRANSITION_MS;
  }

  /** When a node may evict again, and when its transition period ends. */
  nextDeadline(): number | undefined {
    const times = [...this.#last.values()].flatMap((t) => [t + MONITORING_MS, t + TRANSITION_MS]);
    return times.length === 0 ? undefined : Math.min(...times);
  }
}

function running(pod: KObject): boolean {
  const phase = (pod.status as { phase?: string } | undefined)?.phase;
  return pod.metadata.deletionTimestamp === undefined && phase === 'Running';
}

function capacityOf(node: KObject): string {
  const status = node.status as { capacity?: Record<string, string> } | undefined;
  return status?.capacity?.memory ?? '0';
}

/**
 * The kubelet's order under memory pressure: pods using more than they request first, then
 * lower priority, then the most memory beyond the request.
 */
function rank(pods: KObject[], usage: Usage): KObject[] {
  const beyond = (pod: KObject) => podMemory(pod, usage) - podRequest(pod);
  const priority = (pod: KObject) => (pod.spec as PodSpec).priority ?? 0;
  return [...pods].sort(
    (a, b) =>
      Number(beyond(b) > 0) - Number(beyond(a) > 0) ||
      priority(a) - priority(b) ||
      beyond(b) - beyond(a),
  );
}

function podMemory(pod: KObject, usage: Usage): number {
  return usage(pod).reduce((sum, u) => sum + u.memory, 0);
}

function podRequest(pod: KObject): number {
  return ((pod.spec as PodSpec).containers ?? []).reduce(
    (sum, c) => sum + (parseMemory(c.resources?.requests?.memory ?? '0') ?? 0),
    0,
  );
}

/** The status message, with the kubelet's trailing spaces, naming each container over its request. */
function evictionMessage(pod: KObject, usage: Usage, available: number): string {
  let message = `The node was low on resource: memory. Threshold quantity: ${formatMemory(THRESHOLD)}, available: ${formatAvailable(available)}. `;
  const used = new Map(usage(pod).map((u) => [u.name, u.memory]));
  for (const container of (pod.spec as PodSpec).containers ?? []) {
    const memory = used.get(container.name) ?? 0;
    const request = container.resources?.requests?.memory ?? '0';
    if (memory > (parseMemory(request) ?? 0))
      message += `Container ${container.name} was using ${formatMemory(memory)}, request is ${request}, has larger consumption of memory. `;
  }
  return message;
}

/** Available memory as the kubelet prints the quantity; none left is 0. */
function formatAvailable(bytes: number): string {
  if (bytes <= 0) return '0';
  const ki = Math.floor(bytes / 1024);
  return ki % 1024 === 0 ? `${ki / 1024}Mi` : `${ki}Ki`;
}

/** A pod the kubelet evicted: Failed, with its reason and message and the DisruptionTarget condition. */
export function evictedStatus(
  status: Record<string, unknown>,
  previous: PodStatus,
  message: string,
  now: number,
): Record<string, unknown> {
  const before = previous.conditions?.find((c) => c.type === 'DisruptionTarget');
  const target = {
    type: 'DisruptionTarget',
    status: 'True',
    reason: 'TerminationByKubelet',
    message,
    lastProbeTime: null,
    lastTransitionTime: before?.lastTransitionTime ?? stamp(new Date(now)),
  };
  const conditions = (status.conditions as Record<string, unknown>[]) ?? [];
  return {
    ...status,
    phase: 'Failed',
    reason: 'Evicted',
    message,
    conditions: [target, ...conditions],
  };
}
