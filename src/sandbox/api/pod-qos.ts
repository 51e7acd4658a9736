import type { KObject } from './store.ts';

/**
 * A pod's QoS class from its containers' requests and limits: the API server sets it when the pod
 * is created and the kubelet reports it after.
 */
type Resources = { limits?: Record<string, string>; requests?: Record<string, string> };
type PodSpec = { containers?: { resources?: Resources }[] };

export function qosOf(pod: KObject): string {
  const containers = (pod.spec as PodSpec | undefined)?.containers ?? [];
  const all = containers.map((c) => c.resources ?? {});
  if (all.every((r) => r.limits === undefined && r.requests === undefined)) return 'BestEffort';
  const guaranteed = all.every(
    (r) =>
      r.limits?.cpu !== undefined &&
      r.limits.memory !== undefined &&
      (r.requests?.cpu ?? r.limits.cpu) === r.limits.cpu &&
      (r.requests?.memory ?? r.limits.memory) === r.limits.memory,
  );
  return guaranteed ? 'Guaranteed' : 'Burstable';
}

/** What the API server gives a new pod whatever status it was sent: Pending, and its QoS class. */
export function statusOfNewPod(pod: KObject): Record<string, unknown> {
  return { phase: 'Pending', qosClass: qosOf(pod) };
}
