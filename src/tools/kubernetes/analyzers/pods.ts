import type { V1ContainerStatus, V1Pod, V1ReplicaSet } from '@kubernetes/client-node';
import { formatMemory, nextMemoryLimit, parseMemory } from '../../../shared/quantity.ts';
import { eventsAbout, type Finding, type ObjectRef, refOf, type Snapshot } from './finding.ts';

const IMAGE_PULL = ['ErrImagePull', 'ImagePullBackOff', 'InvalidImageName', 'ErrImageNeverPull'];

/** Findings about pods' containers: crash loops, OOM kills, image pulls, readiness, missing refs. */
export function analyzePods(snapshot: Snapshot): Finding[] {
  const findings: Finding[] = [];
  for (const pod of snapshot.pods) {
    const ref = refOf('Pod', pod);
    for (const status of pod.status?.containerStatuses ?? []) {
      const finding = containerFinding(pod, ref, status, snapshot);
      if (finding !== undefined) findings.push(finding);
    }
  }
  return findings;
}

/** What every rule about one container starts from. */
type ContainerContext = {
  pod: V1Pod;
  ref: ObjectRef;
  status: V1ContainerStatus;
  snapshot: Snapshot;
  where: string;
  restarts: string;
  lastExit: string | undefined;
};

/** The first rule that holds for the container, in order: a container fails one way at a time. */
function containerFinding(
  pod: V1Pod,
  ref: ObjectRef,
  status: V1ContainerStatus,
  snapshot: Snapshot,
): Finding | undefined {
  const context = containerContext(pod, ref, status, snapshot);
  return (
    oomKilled(context) ??
    crashLooping(context) ??
    imagePull(context) ??
    containerConfig(context) ??
    readinessFailing(context)
  );
}

function containerContext(
  pod: V1Pod,
  ref: ObjectRef,
  status: V1ContainerStatus,
  snapshot: Snapshot,
): ContainerContext {
  const last = status.lastState?.terminated ?? status.state?.terminated;
  const lastExit =
    last === undefined
      ? undefined
      : `last termination: ${last.reason ?? 'Unknown'}, exit code ${last.exitCode}${last.finishedAt ? ` at ${new Date(last.finishedAt).toISOString()}` : ''}`;
  return {
    pod,
    ref,
    status,
    snapshot,
    where: `container ${status.name} of pod ${ref.name}`,
    restarts: `restarts: ${status.restartCount}`,
    lastExit,
  };
}

function oomKilled(context: ContainerContext): Finding | undefined {
  const { pod, ref, status, snapshot } = context;
  const waiting = status.state?.waiting;
  const last = status.lastState?.terminated ?? status.state?.terminated;
  const oom =
    last?.reason === 'OOMKilled' &&
    (waiting?.reason === 'CrashLoopBackOff' || status.restartCount > 0);
  if (!oom) return undefined;
  const finding: Finding = {
    rule: 'oom-killed',
    severity: 'critical',
    object: ref,
    title: `${context.where} is killed for running out of memory (${status.restartCount} restarts)`,
    cause: `the container uses more memory than its limit allows and the kernel kills it`,
    confidence: 'certain',
    confidenceReason: 'the last termination reason is OOMKilled',
    evidence: [
      context.lastExit ?? '',
      context.restarts,
      ...memoryEvidence(pod, status.name),
      ...eventsAbout(snapshot.events, ref, ['BackOff', 'OOMKilling']),
    ],
  };
  const action = raiseMemory(pod, status.name, snapshot.replicaSets);
  if (action !== undefined) finding.action = action;
  return finding;
}

function crashLooping(context: ContainerContext): Finding | undefined {
  const { ref, status, snapshot } = context;
  const waiting = status.state?.waiting;
  if (waiting?.reason !== 'CrashLoopBackOff') return undefined;
  return {
    rule: 'crash-loop',
    severity: 'critical',
    object: ref,
    title: `${context.where} is crash looping (${status.restartCount} restarts)`,
    cause: 'could not determine why the container exits: checked its last termination and events',
    confidence: 'unsure',
    confidenceReason: 'the termination and events show the crash but not its cause',
    evidence: [
      context.lastExit ?? 'no termination recorded',
      context.restarts,
      waiting.message ?? '',
      ...eventsAbout(snapshot.events, ref, ['BackOff']),
    ].filter(Boolean),
  };
}

function imagePull(context: ContainerContext): Finding | undefined {
  const { ref, status, snapshot } = context;
  const waiting = status.state?.waiting;
  if (waiting?.reason === undefined || !IMAGE_PULL.includes(waiting.reason)) return undefined;
  return {
    rule: 'image-pull',
    severity: 'critical',
    object: ref,
    title: `${context.where} cannot pull its image ${status.image}`,
    cause: `the image cannot be pulled: ${waiting.message ?? waiting.reason}`,
    confidence: 'likely',
    confidenceReason: `the container waits with ${waiting.reason}`,
    evidence: [
      `waiting: ${waiting.reason}`,
      waiting.message ?? '',
      ...eventsAbout(snapshot.events, ref, ['Failed', 'BackOff']),
    ].filter(Boolean),
  };
}

function containerConfig(context: ContainerContext): Finding | undefined {
  const { ref, status, snapshot } = context;
  const waiting = status.state?.waiting;
  if (
    waiting?.reason !== 'CreateContainerConfigError' &&
    waiting?.reason !== 'CreateContainerError'
  )
    return undefined;
  const missing = /(configmap|secret) "([^"]+)" not found/i.exec(waiting.message ?? '');
  return {
    rule: missing ? 'missing-reference' : 'container-config',
    severity: 'critical',
    object: ref,
    title: missing
      ? `${context.where} refers to ${missing[1]?.toLowerCase()} ${missing[2]}, which does not exist`
      : `${context.where} cannot be created`,
    cause: missing
      ? `${missing[1]?.toLowerCase()} ${missing[2]} does not exist`
      : `the kubelet cannot create the container: ${waiting.message ?? waiting.reason}`,
    confidence: missing ? 'certain' : 'likely',
    confidenceReason: `the container waits with ${waiting.reason}`,
    evidence: [
      `waiting: ${waiting.reason}`,
      waiting.message ?? '',
      ...eventsAbout(snapshot.events, ref, ['Failed', 'FailedMount']),
    ].filter(Boolean),
  };
}

function readinessFailing(context: ContainerContext): Finding | undefined {
  const { pod, ref, status, snapshot } = context;
  const running = status.state?.running;
  if (running === undefined || status.ready || pod.status?.phase !== 'Running') return undefined;
  const probeEvents = eventsAbout(snapshot.events, ref, ['Unhealthy']);
  if (probeEvents.length === 0) return undefined;
  return {
    rule: 'readiness-failing',
    severity: 'warning',
    object: ref,
    title: `${context.where} is running but not ready`,
    cause: 'its readiness probe fails',
    confidence: 'likely',
    confidenceReason: 'Unhealthy events from the kubelet',
    evidence: [
      `running since ${running.startedAt ? new Date(running.startedAt).toISOString() : 'unknown'}`,
      ...probeEvents,
    ],
  };
}

function memoryEvidence(pod: V1Pod, container: string): string[] {
  const spec = pod.spec?.containers.find((c) => c.name === container);
  const limit = spec?.resources?.limits?.memory;
  const request = spec?.resources?.requests?.memory;
  return [`memory limit: ${limit ?? 'none'}, request: ${request ?? 'none'}`];
}

/** OOM kill → raise the owning Deployment's memory limit by a step, when the pod has a limit. */
function raiseMemory(pod: V1Pod, container: string, replicaSets: readonly V1ReplicaSet[]) {
  const limit = pod.spec?.containers.find((c) => c.name === container)?.resources?.limits?.memory;
  const bytes = limit === undefined ? undefined : parseMemory(limit);
  const owner = deploymentOf(pod, replicaSets);
  if (limit === undefined || bytes === undefined || owner === undefined) return undefined;
  const next = formatMemory(nextMemoryLimit(bytes));
  return {
    type: 'set-resources' as const,
    target: owner,
    container,
    resources: { limits: { memory: next } },
    summary: `raise the memory limit of ${container} in deployment ${owner.name} from ${limit} to ${next}`,
  };
}

export function deploymentOf(
  pod: V1Pod,
  replicaSets: readonly V1ReplicaSet[],
): ObjectRef | undefined {
  const rsOwner = pod.metadata?.ownerReferences?.find((o) => o.kind === 'ReplicaSet');
  if (rsOwner === undefined) return undefined;
  const rs = replicaSets.find(
    (r) => r.metadata?.name === rsOwner.name && r.metadata?.namespace === pod.metadata?.namespace,
  );
  const deployment = rs?.metadata?.ownerReferences?.find((o) => o.kind === 'Deployment');
  if (deployment === undefined) return undefined;
  const ref: ObjectRef = { kind: 'Deployment', name: deployment.name };
  if (pod.metadata?.namespace !== undefined) ref.namespace = pod.metadata.namespace;
  return ref;
}
