import type {
  CoreV1Event,
  V1ContainerState,
  V1ContainerStatus,
  V1Pod,
  V1PodStatus,
} from '@kubernetes/client-node';
import { redactText } from '../../../policy/redact.ts';
import type { ContainerLog } from '../snapshot.ts';
import type { Snapshot } from './finding.ts';

/**
 * The longest message the analyzers read: events, conditions and termination messages are
 * written by controllers and by containers themselves, with no limit, and a rule reads them with
 * regular expressions and quotes parts of them.
 */
export const MAX_MESSAGE = 4096;

/**
 * The text a workload writes, made safe to read and to quote before any rule sees it: log lines
 * and messages redacted whole (a secret cut by a bound, or spread over lines like a private key,
 * would no longer look like one), then bounded; anything that is not text dropped. The snapshot
 * given is not changed.
 */
export function prepareSnapshot(snapshot: Snapshot): Snapshot {
  return {
    ...snapshot,
    pods: (snapshot.pods ?? []).map(preparePod),
    events: (snapshot.events ?? []).flatMap((e) =>
      e === null || typeof e !== 'object' ? [] : [withMessage(e)],
    ) as CoreV1Event[],
    logs: (snapshot.logs ?? []).flatMap((log) => (log === null ? [] : [prepareLog(log)])),
  };
}

/** A message redacted, then cut to `MAX_MESSAGE`; undefined when it is not text. */
export function bounded(message: unknown): string | undefined {
  if (typeof message !== 'string') return undefined;
  const redacted = redactText(message);
  return redacted.length > MAX_MESSAGE ? `${redacted.slice(0, MAX_MESSAGE)}…` : redacted;
}

/** An object with its `message` redacted and bounded, or without one when it was not text. */
function withMessage<T extends { message?: string }>(object: T): T {
  const { message, ...rest } = object;
  const kept = bounded(message);
  return (kept === undefined ? rest : { ...rest, message: kept }) as T;
}

function prepareLog(log: ContainerLog): ContainerLog {
  if (!Array.isArray(log.lines)) return log;
  const text = log.lines.filter((l): l is string => typeof l === 'string').join('\n');
  return { ...log, lines: text === '' ? [] : redactText(text).split('\n') };
}

function preparePod(pod: V1Pod): V1Pod {
  if (pod === null || typeof pod !== 'object' || pod.status == null) return pod;
  const status = pod.status;
  const statuses = (list: V1ContainerStatus[] | undefined) =>
    Array.isArray(list) ? list.map(prepareStatus) : list;
  const prepared = withMessage({ ...status }) as V1PodStatus;
  if (Array.isArray(status.conditions))
    prepared.conditions = status.conditions.map((c) =>
      c === null || typeof c !== 'object' ? c : withMessage(c),
    );
  const containers = statuses(status.containerStatuses);
  if (containers !== undefined) prepared.containerStatuses = containers;
  const inits = statuses(status.initContainerStatuses);
  if (inits !== undefined) prepared.initContainerStatuses = inits;
  return { ...pod, status: prepared };
}

function prepareStatus(status: V1ContainerStatus): V1ContainerStatus {
  if (status === null || typeof status !== 'object') return status;
  const prepared = { ...status };
  if (status.state != null) prepared.state = prepareState(status.state);
  if (status.lastState != null) prepared.lastState = prepareState(status.lastState);
  return prepared;
}

function prepareState(state: V1ContainerState): V1ContainerState {
  if (typeof state !== 'object') return state;
  const prepared = { ...state };
  if (state.terminated != null && typeof state.terminated === 'object')
    prepared.terminated = withMessage(state.terminated);
  if (state.waiting != null && typeof state.waiting === 'object')
    prepared.waiting = withMessage(state.waiting);
  return prepared;
}
