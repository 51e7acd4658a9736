import type { CoreV1Event, V1Node, V1Pod, V1PodCondition } from '@kubernetes/client-node';
import { eventsAbout, type Finding, type ObjectRef, refOf, type Snapshot } from './finding.ts';
import { failedAffinity, missingLabels, untolerated } from './node-fit.ts';
import {
  affinityCause,
  type Cause,
  genericCause,
  resourceCause,
  taintCause,
  tooManyPodsCause,
} from './pending-causes.ts';
import { claimFinding } from './pending-claims.ts';
import { placementCause } from './pod-placement.ts';
import {
  parseSchedulerMessage,
  type SchedulerMessage,
  type SchedulerReason,
  taintText,
} from './schedule-message.ts';

/**
 * Findings about pods the scheduler places on no node. The scheduler's message says which filter
 * excluded how many nodes; the reason that excluded the most (the control-plane taint counts
 * least: it is meant to keep pods off) is the cause, checked against the pod and the nodes.
 */
export function analyzePending(snapshot: Snapshot): Finding[] {
  return snapshot.pods.flatMap((pod) => pendingFinding(pod, snapshot) ?? []);
}

export type PendingContext = {
  pod: V1Pod;
  ref: ObjectRef;
  snapshot: Snapshot;
  /** The lines every pending finding starts with: the PodScheduled condition and the events. */
  evidence: string[];
};

function pendingFinding(pod: V1Pod, snapshot: Snapshot): Finding | undefined {
  if (pod.status?.phase !== 'Pending' || (pod.spec?.nodeName ?? '') !== '') return undefined;
  const ref = refOf('Pod', pod);
  const condition = pod.status.conditions?.find(
    (c) => c.type === 'PodScheduled' && c.status === 'False',
  );
  const events = eventsAbout(snapshot.events, ref, ['FailedScheduling', 'Preempted'], 2);
  if (condition === undefined && events.length === 0) return undefined;
  const context: PendingContext = {
    pod,
    ref,
    snapshot,
    evidence: [...(condition ? [conditionLine(ref, condition)] : []), ...events],
  };
  if (condition?.reason === 'SchedulingGated') return gated(context);
  const message = condition?.message ?? latestSchedulingMessage(snapshot.events, ref);
  const parsed = parseSchedulerMessage(message);
  const primary = parsed === undefined ? undefined : primaryReason(parsed);
  if (primary?.kind === 'unbound-claim' || primary?.kind === 'missing-claim')
    return claimFinding(context, primary);
  const cause = causeOf(context, primary, parsed);
  const finding: Finding = {
    rule: cause.rule,
    severity: 'warning',
    object: ref,
    title: `pod ${ref.name} is Pending: no node can take it`,
    cause: cause.cause,
    confidence: cause.confidence,
    confidenceReason: cause.confidenceReason,
    evidence: [...context.evidence, ...cause.evidence],
  };
  const nominated = pod.status.nominatedNodeName;
  if (nominated !== undefined && nominated !== '') return preempting(finding, nominated);
  return withPreemptedSibling(finding, pod, snapshot);
}

/**
 * A pending pod whose sibling (same owner) was preempted is a replacement that lost its place to
 * a pod of higher priority: said, since it is why the room it needs is gone.
 */
function withPreemptedSibling(finding: Finding, pod: V1Pod, snapshot: Snapshot): Finding {
  const owner = pod.metadata?.ownerReferences?.find((o) => o.controller !== false)?.uid;
  if (owner === undefined) return finding;
  const sibling = snapshot.pods.find(
    (p) =>
      p !== pod &&
      p.metadata?.ownerReferences?.some((o) => o.uid === owner) === true &&
      (p.status?.conditions?.some(
        (c) => c.type === 'DisruptionTarget' && c.reason === 'PreemptionByScheduler',
      ) === true ||
        eventsAbout(snapshot.events, refOf('Pod', p), ['Preempted'], 1).length > 0),
  );
  if (sibling === undefined) return finding;
  const priority = pod.spec?.priorityClassName;
  return {
    ...finding,
    cause: `${finding.cause}; pod ${sibling.metadata?.name} of the same workload was preempted by the scheduler for a pod of higher priority${priority ? ` (these run at priorityClassName ${priority})` : ''}, and its replacement finds no room`,
    evidence: [
      ...finding.evidence,
      ...eventsAbout(snapshot.events, refOf('Pod', sibling), ['Preempted'], 1),
    ],
  };
}

function causeOf(
  context: PendingContext,
  primary: SchedulerReason | undefined,
  parsed: SchedulerMessage | undefined,
): Cause {
  const others = (parsed?.reasons ?? []).filter((r) => r !== primary);
  if (primary?.kind === 'node-selector') {
    const pinned = pinnedNodes(context);
    const there = reasonOnPinned(pinned, others, context);
    if (there !== undefined) return onPinned(context, pinned, there, primary, others);
  }
  switch (primary?.kind) {
    case 'insufficient':
      return resourceCause(context, primary, others);
    case 'too-many-pods':
      return tooManyPodsCause(context, primary, others);
    case 'taint':
      return taintCause(context, primary, others);
    case 'node-selector':
      return affinityCause(context, primary, others);
    case 'pod-affinity':
      return placementCause(context, primary, others);
    default:
      return genericCause(context, primary, others);
  }
}

/** The nodes its nodeSelector and required node affinity allow. */
function pinnedNodes(context: PendingContext): V1Node[] {
  const { pod, snapshot } = context;
  return snapshot.nodes.filter(
    (node) =>
      missingLabels(pod, node).length === 0 && (failedAffinity(pod, node)?.length ?? 0) === 0,
  );
}

/** Of the scheduler's other reasons, the one that keeps the pod off the nodes it is pinned to. */
function reasonOnPinned(
  pinned: readonly V1Node[],
  others: readonly SchedulerReason[],
  context: PendingContext,
): SchedulerReason | undefined {
  if (pinned.length === 0) return undefined;
  const tolerations = context.pod.spec?.tolerations;
  return others.find((reason) => {
    if (reason.kind === 'taint') {
      const key = taintText(reason.subject ?? '').key;
      return pinned.some((n) => untolerated(n, tolerations).some((t) => t.key === key));
    }
    if (reason.kind === 'unschedulable-node')
      return pinned.some((n) => n.spec?.unschedulable === true);
    return reason.kind !== 'other' && reason.kind !== 'node-selector';
  });
}

function onPinned(
  context: PendingContext,
  pinned: readonly V1Node[],
  there: SchedulerReason,
  selector: SchedulerReason,
  others: readonly SchedulerReason[],
): Cause {
  const rest = others.filter((r) => r !== there);
  const inner = causeOf(context, there, { total: 0, reasons: [there, ...rest] });
  const names = pinned
    .slice(0, 3)
    .map((n) => n.metadata?.name)
    .join(', ');
  return {
    ...inner,
    cause: `its nodeSelector or node affinity allows only ${names}${pinned.length > 3 ? ', …' : ''} (the other ${selector.nodes} node(s) do not match), and there: ${inner.cause}`,
    evidence: [
      ...Object.entries(context.pod.spec?.nodeSelector ?? {}).map(
        ([k, v]) => `Pod ${context.ref.name} spec.nodeSelector: ${k}=${v}`,
      ),
      ...inner.evidence,
    ],
  };
}

/** The reason that excluded the most nodes; pod-wide ones (claims) first, the control plane last. */
export function primaryReason(message: SchedulerMessage): SchedulerReason | undefined {
  const weight = (r: SchedulerReason): number => {
    if (r.kind === 'unbound-claim' || r.kind === 'missing-claim') return 1e6;
    if (
      r.kind === 'taint' &&
      /node-role\.kubernetes\.io\/(control-plane|master)/.test(r.subject ?? '')
    )
      return r.nodes / 1000;
    return r.nodes + (r.kind === 'other' ? 0 : 0.5);
  };
  return [...message.reasons].sort((a, b) => weight(b) - weight(a))[0];
}

function conditionLine(ref: ObjectRef, c: V1PodCondition): string {
  const at = `${ref.namespace ?? ''}${ref.namespace ? '/' : ''}${ref.name}`;
  return `Pod ${at} status.conditions[PodScheduled]: ${c.reason ?? 'Unschedulable'}: ${c.message ?? 'no message'}`;
}

function latestSchedulingMessage(
  events: readonly CoreV1Event[],
  ref: ObjectRef,
): string | undefined {
  const line = eventsAbout(events, ref, ['FailedScheduling'], 1)[0];
  return line?.replace(/^event FailedScheduling: /, '').replace(/ \(x\d+\)$/, '');
}

function gated(context: PendingContext): Finding {
  const gates = (context.pod.spec?.schedulingGates ?? []).map((g) => g.name);
  return {
    rule: 'pending/scheduling-gated',
    severity: 'info',
    object: context.ref,
    title: `pod ${context.ref.name} is Pending: held back by scheduling gates`,
    cause: `the scheduler does not consider it until its scheduling gates are removed (${gates.join(', ') || 'none listed'})`,
    confidence: 'certain',
    confidenceReason: 'the PodScheduled condition says SchedulingGated',
    evidence: [
      ...context.evidence,
      `Pod ${context.ref.name} spec.schedulingGates: ${gates.join(', ') || '(none)'}`,
    ],
  };
}

/** A pod with a nominated node waits for the lower-priority pods there to go: a matter of time. */
function preempting(finding: Finding, node: string): Finding {
  return {
    ...finding,
    rule: 'pending/preempting',
    severity: 'info',
    cause: `the scheduler is preempting lower-priority pods on node ${node} to make room for it; it should start once they have stopped (before that: ${finding.cause})`,
    confidence: 'certain',
    confidenceReason: 'the pod has status.nominatedNodeName set by the scheduler',
    evidence: [...finding.evidence, `Pod ${finding.object.name} status.nominatedNodeName: ${node}`],
  };
}
