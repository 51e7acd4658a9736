import type { V1Pod } from '@kubernetes/client-node';
import { eventsAbout, type Finding, type ObjectRef, refOf, type Snapshot } from './finding.ts';

/** Findings about pods that do not start: the scheduler finds no node for them. */
export function analyzePending(snapshot: Snapshot): Finding[] {
  return snapshot.pods.flatMap((pod) => unschedulable(pod, refOf('Pod', pod), snapshot) ?? []);
}

function unschedulable(pod: V1Pod, ref: ObjectRef, snapshot: Snapshot): Finding | undefined {
  if (pod.status?.phase !== 'Pending') return undefined;
  const condition = pod.status.conditions?.find(
    (c) => c.type === 'PodScheduled' && c.status === 'False',
  );
  if (condition === undefined) return undefined;
  return {
    rule: 'pending-unschedulable',
    severity: 'warning',
    object: ref,
    title: `pod ${ref.name} cannot be scheduled`,
    cause: `the scheduler finds no node for it: ${condition.message ?? 'no reason given'}`,
    confidence: 'likely',
    confidenceReason: 'the PodScheduled condition is False',
    evidence: [
      `${condition.reason ?? 'Unschedulable'}: ${condition.message ?? 'no reason given'}`,
      ...eventsAbout(snapshot.events, ref, ['FailedScheduling']),
    ],
  };
}
