import type { CoreV1Event, V1Container, V1ContainerStatus, V1Pod } from '@kubernetes/client-node';
import { type ContainerLog, controllerOf } from '../snapshot.ts';
import { eventsAbout, type ObjectRef, refOf, type Snapshot } from './finding.ts';

/** Which list of the pod a container is in, and what it is for the pod. */
export type ContainerRole = 'container' | 'init container' | 'sidecar';

/** The class of a rule about a container, by what the container is for the pod. */
export const RULE_CLASS: Readonly<Record<ContainerRole, string>> = {
  container: 'crash-loop',
  'init container': 'init-container',
  sidecar: 'sidecar',
};

/** A pod as evidence names it: `Pod shop/web-1`. */
export function podPath(ref: ObjectRef): string {
  return `Pod ${ref.namespace === undefined ? '' : `${ref.namespace}/`}${ref.name}`;
}

/** What every rule about one container starts from. */
export type ContainerContext = {
  pod: V1Pod;
  ref: ObjectRef;
  status: V1ContainerStatus;
  /** Its spec in the pod, when the pod has it. */
  spec: V1Container | undefined;
  role: ContainerRole;
  snapshot: Snapshot;
  /** "container api of pod web-1", "init container migrate of pod web-1". */
  where: string;
  /** The field its status is read from, for evidence: `Pod ns/name status.containerStatuses[api]`. */
  statusField: string;
  /** The field its spec is read from: `Pod ns/name spec.containers[api]`. */
  specField: string;
  /** Events about this container (or about the pod without naming a container), newest first. */
  events: CoreV1Event[];
  /** Its last log lines, when the snapshot read them. */
  log: ContainerLog | undefined;
};

export function containerContext(
  pod: V1Pod,
  status: V1ContainerStatus,
  role: ContainerRole,
  snapshot: Snapshot,
): ContainerContext {
  const ref = refOf('Pod', pod);
  const init = role !== 'container';
  const specs = (init ? pod.spec?.initContainers : pod.spec?.containers) ?? [];
  const name = status.name ?? '(unnamed)';
  return {
    pod,
    ref,
    status,
    spec: specs.find((c) => c?.name === name),
    role,
    snapshot,
    where: `${role} ${name} of pod ${ref.name}`,
    statusField: `${podPath(ref)} status.${init ? 'initContainerStatuses' : 'containerStatuses'}[${name}]`,
    specField: `${podPath(ref)} spec.${init ? 'initContainers' : 'containers'}[${name}]`,
    events: containerEvents(snapshot.events, ref, name, init),
    log: logOf(snapshot, pod, ref, name),
  };
}

/** The container's own last lines, else those of the same container in a replica of its pod. */
function logOf(
  snapshot: Snapshot,
  pod: V1Pod,
  ref: ObjectRef,
  container: string,
): ContainerLog | undefined {
  const logs = snapshot.logs.filter(
    (l) => l?.container === container && l.namespace === (ref.namespace ?? l.namespace),
  );
  const owner = controllerOf(pod);
  return (
    logs.find((l) => l.pod === ref.name) ??
    (owner === undefined ? undefined : logs.find((l) => l.owner === owner))
  );
}

/** The pod's events that are about this container: named by field path, or about no container. */
function containerEvents(
  events: readonly CoreV1Event[],
  ref: ObjectRef,
  container: string,
  init: boolean,
): CoreV1Event[] {
  const own = `spec.${init ? 'initContainers' : 'containers'}{${container}}`;
  return events.filter((e) => {
    const path = e?.involvedObject?.fieldPath;
    return (
      e.involvedObject?.kind === 'Pod' &&
      e.involvedObject.name === ref.name &&
      (ref.namespace === undefined || e.involvedObject.namespace === ref.namespace) &&
      (path === undefined || path === '' || path === own)
    );
  });
}

/** Event lines about the container, newest first, as `event Reason: message (xN)`. */
export function eventLines(context: ContainerContext, reasons: readonly string[], limit = 3) {
  return eventsAbout(context.events, context.ref, reasons, limit);
}

/** Messages of the container's events with this reason, newest first. */
export function eventMessages(context: ContainerContext, reason: string): string[] {
  return context.events
    .filter((e) => e.reason === reason)
    .sort((a, b) => timeOf(b) - timeOf(a))
    .map((e) => (typeof e.message === 'string' ? e.message : ''));
}

function timeOf(event: CoreV1Event): number {
  const at = event.lastTimestamp ?? event.eventTime ?? event.metadata?.creationTimestamp;
  const time = at === undefined ? 0 : new Date(at).getTime();
  return Number.isNaN(time) ? 0 : time;
}

/** `Pod ns/x status.containerStatuses[api].lastState.terminated: Error, exit code 1 at …`. */
export function terminationLine(context: ContainerContext): string | undefined {
  const { status } = context;
  const last = status.lastState?.terminated;
  const current = status.state?.terminated;
  const ended = last ?? current;
  if (ended === undefined) return undefined;
  const field = last === undefined ? 'state.terminated' : 'lastState.terminated';
  const at = ended.finishedAt ? ` at ${isoOf(ended.finishedAt)}` : '';
  const message = ended.message ? ` (${String(ended.message).trim()})` : '';
  return `${context.statusField}.${field}: ${ended.reason ?? 'Unknown'}, exit code ${ended.exitCode ?? 'unknown'}${at}${message}`;
}

/** The last termination, of the previous instance if it restarted, else of the current. */
export function lastTermination(context: ContainerContext) {
  return context.status.lastState?.terminated ?? context.status.state?.terminated;
}

export function waitingLine(context: ContainerContext): string | undefined {
  const waiting = context.status.state?.waiting;
  if (waiting === undefined) return undefined;
  return `${context.statusField}.state.waiting: ${waiting.reason ?? 'Unknown'}${waiting.message ? `: ${waiting.message}` : ''}`;
}

export function restartsLine(context: ContainerContext): string {
  return `${context.statusField}.restartCount: ${context.status.restartCount ?? 0}`;
}

/** The log lines as evidence, `log api (previous): …`. */
export function logEvidence(context: ContainerContext, lines: readonly string[]): string[] {
  const log = context.log;
  const replica = log !== undefined && log.pod !== context.ref.name ? ` of replica ${log.pod}` : '';
  const label = `log ${context.status.name}${replica}${log?.previous ? ' (previous)' : ''}`;
  return lines.map((line) => `${label}: ${line}`);
}

export function isoOf(time: Date | string): string {
  const date = new Date(time);
  return Number.isNaN(date.getTime()) ? String(time) : date.toISOString();
}
