import type { KObject } from '../api/store.ts';
import { stamp } from './events.ts';
import type { Container, ContainerRuntime } from './kubelet.ts';

/** What a pod's status shows besides its containers: its QoS class, IP, conditions and waits. */
type PodSpec = { containers?: Container[] };

export function waitingReason(runtime: ContainerRuntime | undefined): string {
  if (runtime === undefined || runtime.phase === 'pulling') return 'ContainerCreating';
  if (runtime.phase === 'pull-backoff') return 'trying and failing to pull image';
  if (runtime.phase === 'config-error') return 'CreateContainerConfigError';
  return 'PodInitializing';
}

export function qosOf(pod: KObject): string {
  const containers = (pod.spec as PodSpec).containers ?? [];
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

export type PodStatus = {
  conditions?: { type: string; status: string; lastTransitionTime?: string }[];
  startTime?: string;
};

/** A running pod's conditions; Ready and ContainersReady name the containers that are not. */
export function podConditions(
  previous: PodStatus,
  statuses: Record<string, unknown>[],
  now: number,
): Record<string, unknown>[] {
  const allReady = statuses.length > 0 && statuses.every((s) => s.ready === true);
  const condition = (type: string, value: boolean, reason?: string) => {
    const status = value ? 'True' : 'False';
    const before = previous.conditions?.find((c) => c.type === type);
    const out: Record<string, unknown> = {
      type,
      status,
      lastProbeTime: null,
      lastTransitionTime:
        before?.status === status ? before.lastTransitionTime : stamp(new Date(now)),
    };
    if (!value && reason !== undefined) {
      out.reason = reason;
      const notReady = statuses.filter((s) => s.ready !== true).map((s) => s.name);
      out.message = `containers with unready status: [${notReady.join(' ')}]`;
    }
    return out;
  };
  return [
    condition('PodReadyToStartContainers', true),
    condition('Initialized', true),
    condition('Ready', allReady, 'ContainersNotReady'),
    condition('ContainersReady', allReady, 'ContainersNotReady'),
    condition('PodScheduled', true),
  ];
}
