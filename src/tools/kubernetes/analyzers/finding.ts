import type { CoreV1Event } from '@kubernetes/client-node';
import type { Snapshot } from '../snapshot.ts';

export type { Snapshot };

/**
 * What the analyzers read and what they conclude. The bot works without a model: these rules
 * find the common failures deterministically, with the evidence a person would look at, and
 * where a rule knows the fix, the action to propose.
 */
export type Severity = 'critical' | 'warning' | 'info';

export type ObjectRef = { kind: string; namespace?: string; name: string };

/** A change a rule recommends; it becomes a proposal with a dry-run diff before anything runs. */
export type ProposedAction =
  | {
      type: 'set-resources';
      target: ObjectRef;
      container: string;
      resources: { limits?: Record<string, string>; requests?: Record<string, string> };
      summary: string;
    }
  | { type: 'rollback'; target: ObjectRef; toRevision: number; summary: string };

/**
 * How sure a finding is of its cause: `certain` when the cluster states it (a termination
 * reason, a condition's message), `likely` when it is read from signs that usually mean it (a log
 * line, an event pattern), `unsure` when the symptom is plain but its cause is not.
 */
export type Confidence = 'certain' | 'likely' | 'unsure';

export type Finding = {
  /** The rule that found it, `class/cause` (e.g. `crash-loop/connection-refused`). */
  rule: string;
  severity: Severity;
  object: ObjectRef;
  /** What is wrong, as a person sees it: the symptom. */
  title: string;
  /**
   * Why, in one sentence: the root cause, or "could not determine why …" with what was checked
   * when the symptom is clear and its cause is not.
   */
  cause: string;
  confidence: Confidence;
  /** What the confidence rests on, or what is missing for more. */
  confidenceReason: string;
  /**
   * What the cause rests on, each line citing its source: an object's field
   * (`Pod shop/web-1 status.containerStatuses[app].lastState.terminated: …`), an event
   * (`event BackOff: …`) or a log line (`log app (previous): …`). Redacted before anyone sees it.
   */
  evidence: string[];
  action?: ProposedAction;
};

export function refOf(
  kind: string,
  object: { metadata?: { namespace?: string; name?: string } },
): ObjectRef {
  const ref: ObjectRef = { kind, name: object.metadata?.name ?? '(unnamed)' };
  if (object.metadata?.namespace !== undefined) ref.namespace = object.metadata.namespace;
  return ref;
}

/** Event lines about one object, newest first, as `reason: message (xN)`. */
export function eventsAbout(
  events: readonly CoreV1Event[],
  ref: ObjectRef,
  reasons?: readonly string[],
  limit = 3,
): string[] {
  return events
    .filter(
      (e) =>
        // Recorded events may lack an involved object: they are about nothing in particular.
        e.involvedObject?.kind === ref.kind &&
        e.involvedObject.name === ref.name &&
        (ref.namespace === undefined || e.involvedObject.namespace === ref.namespace) &&
        (reasons === undefined || reasons.includes(e.reason ?? '')),
    )
    .sort((a, b) => timeOf(b) - timeOf(a))
    .slice(0, limit)
    .map(
      (e) =>
        `event ${e.reason ?? 'Unknown'}: ${e.message ?? ''}${(e.count ?? 1) > 1 ? ` (x${e.count})` : ''}`,
    );
}

function timeOf(event: CoreV1Event): number {
  const at = event.lastTimestamp ?? event.eventTime ?? event.metadata.creationTimestamp;
  return at === undefined ? 0 : new Date(at).getTime();
}
