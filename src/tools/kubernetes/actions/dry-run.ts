import type { KubernetesObject } from '@kubernetes/client-node';
import { CoxswainError } from '../../../errors.ts';
import { escalations } from '../../../policy/escalation.ts';
import type { Cluster } from '../cluster.ts';
import type { Change } from './action.ts';
import { type ChangeView, viewChange } from './diff.ts';
import { type Ref, writeTarget } from './target-api.ts';

/**
 * The server's view of a change before it is made: the dry run (every field it touches, the
 * diff, the digest), the refusals that follow from it (nothing to change, or a field no tier
 * allows), and the resourceVersion precondition every write carries.
 */

/**
 * The server's dry run of `change` on `current`: every field it touches, the diff a person
 * approves, and the digest that execution compares against a fresh dry run.
 */
export async function dryRun(
  cluster: Cluster,
  ref: Ref,
  current: KubernetesObject,
  change: Change,
): Promise<ChangeView> {
  const result = await writeTarget(cluster, ref, withPrecondition(change, current), {
    dryRun: true,
    ...(current.metadata?.uid ? { uid: current.metadata.uid } : {}),
  });
  const after = change.method === 'delete' ? undefined : result;
  return viewChange(labelOf(ref), ref.kind, current, after);
}

/** What policy needs to know of a target to judge a change to it. */
export function targetOf(ref: Ref): { kind: string; name: string; namespace: string | undefined } {
  return { kind: ref.kind, name: ref.name, namespace: ref.namespace };
}

function labelOf(ref: Ref): string {
  return `${ref.kind.toLowerCase()} ${ref.namespace ? `${ref.namespace}/` : ''}${ref.name}`;
}

/** The change would make the object what it already is. */
export class NoChangeError extends CoxswainError {
  constructor(message: string) {
    super('no_change', message);
    this.name = 'NoChangeError';
  }
}

/** The change touches what no tier allows (DESIGN §4): refused, with the reason per field. */
export class ForbiddenChangeError extends CoxswainError {
  readonly reasons: readonly string[];

  constructor(label: string, reasons: readonly string[]) {
    super('forbidden_change', `${label}: forbidden whatever the tier: ${reasons.join('; ')}`);
    this.name = 'ForbiddenChangeError';
    this.reasons = reasons;
  }
}

/** The action types that start an Argo CD operation: the only changes that may set `operation`. */
export const ARGO_OPERATIONS: ReadonlySet<string> = new Set(['argocd-sync', 'argocd-rollback']);

/** Refuses a dry run that changes nothing, or that touches a field no tier allows. */
export function refuseUnfit(ref: Ref, view: ChangeView, change: Change, type?: string): void {
  const reasons = escalations(targetOf(ref), view.leaves, view.after, {
    argoOperation: ARGO_OPERATIONS.has(type ?? ''),
  });
  if (reasons.length > 0) throw new ForbiddenChangeError(labelOf(ref), reasons);
  if (change.method !== 'delete' && view.leaves.length === 0)
    throw new NoChangeError(`${labelOf(ref)} is already as the change would make it`);
}

/** The change with the read resourceVersion as a precondition: the server refuses it (409) if the object moved on. */
export function withPrecondition(change: Change, current: KubernetesObject): Change {
  const rv = current.metadata?.resourceVersion;
  if (change.method === 'delete' || rv === undefined) return change;
  if (change.patchType === 'json') {
    return {
      ...change,
      body: [
        ...(change.body as unknown[]),
        { op: 'replace', path: '/metadata/resourceVersion', value: rv },
      ],
    };
  }
  const body = change.body as { metadata?: object };
  return {
    ...change,
    body: { ...body, metadata: { ...(body.metadata ?? {}), resourceVersion: rv } },
  };
}
