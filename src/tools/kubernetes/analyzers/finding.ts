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

export type Finding = {
  rule: string;
  severity: Severity;
  object: ObjectRef;
  title: string;
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
        e.involvedObject.kind === ref.kind &&
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
