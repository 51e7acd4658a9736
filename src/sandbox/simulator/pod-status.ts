import { stamp } from './events.ts';
import type { ContainerRuntime } from './kubelet.ts';

/** What a pod's status shows besides its containers: its QoS class, IP, conditions and waits. */
export { qosOf } from '../api/pod-qos.ts';

export function waitingReason(runtime: ContainerRuntime | undefined): string {
  if (runtime === undefined || runtime.phase === 'pulling') return 'ContainerCreating';
  if (runtime.phase === 'pull-backoff') return 'trying and failing to pull image';
  if (runtime.phase === 'config-error') return 'CreateContainerConfigError';
  return 'PodInitializing';
}

export type PodStatus = {
  conditions?: { type: string; status: string; lastTransitionTime?: string }[];
  startTime?: string;
};

/**
 * The kubelet's pod phase: Succeeded or Failed once every container has ended for good (one
 * failure fails the pod), Running once one has started, Pending before.
 */
export function podPhase(
  statuses: Record<string, unknown>[],
  runtimes: ContainerRuntime[],
): 'Pending' | 'Running' | 'Succeeded' | 'Failed' {
  if (runtimes.length > 0 && runtimes.every((r) => r.phase === 'exited')) {
    return runtimes.some((r) => (r.current?.exitCode ?? 0) !== 0) ? 'Failed' : 'Succeeded';
  }
  const started = statuses.some(
    (s) =>
      s.started === true ||
      Object.keys(s.lastState as object).length > 0 ||
      'terminated' in (s.state as object),
  );
  return started ? 'Running' : 'Pending';
}

/** A pod's conditions; Ready and ContainersReady name the containers that are not. */
export function podConditions(
  previous: PodStatus,
  statuses: Record<string, unknown>[],
  now: number,
  phase: string,
): Record<string, unknown>[] {
  const allReady = statuses.length > 0 && statuses.every((s) => s.ready === true);
  // A finished pod is not ready because it finished, which the kubelet says instead of naming containers.
  const ended =
    phase === 'Succeeded' ? 'PodCompleted' : phase === 'Failed' ? 'PodFailed' : undefined;
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
    if (!value && ended !== undefined && reason !== undefined) out.reason = ended;
    else if (!value && reason !== undefined) {
      out.reason = reason;
      const notReady = statuses.filter((s) => s.ready !== true).map((s) => s.name);
      out.message = `containers with unready status: [${notReady.join(' ')}]`;
    }
    return out;
  };
  return [
    condition('PodReadyToStartContainers', ended === undefined),
    condition('Initialized', true),
    condition('Ready', allReady, 'ContainersNotReady'),
    condition('ContainersReady', allReady, 'ContainersNotReady'),
    condition('PodScheduled', true),
  ];
}
