import { CoxswainError } from '../../../errors.ts';
import { escalations } from '../../../policy/escalation.ts';
import type { Cluster } from '../cluster.ts';
import { KubernetesError } from '../errors.ts';
import type { KubeAction } from './action.ts';
import { dryRun, ForbiddenChangeError, targetOf, withPrecondition } from './dry-run.ts';
import { refuseIfAutoscaled } from './propose.ts';
import { type Ref, readTarget, writeTarget } from './target-api.ts';

/** The target is no longer the object the proposal was made against. */
export class TargetChangedError extends CoxswainError {
  /** Whether the write was sent: a conflict on the write itself may hide a write that landed. */
  readonly written: 'no' | 'maybe';

  constructor(message: string, written: 'no' | 'maybe' = 'no') {
    super('target_changed', message);
    this.name = 'TargetChangedError';
    this.written = written;
  }
}

type ActionOutcome = {
  summary: string;
  resourceVersionBefore: string;
  resourceVersionAfter: string | undefined;
};

/**
 * Executes an approved action on the object it was proposed for. The target must be the same
 * object (same uid) and unchanged since, or changed only in ways that leave the change's dry
 * run exactly as approved; the write carries the resourceVersion it checked, so a change racing
 * in between is refused by the server (409) rather than overwritten.
 */
export async function executeAction(
  cluster: Cluster,
  action: KubeAction,
  /** Called right before the write, after every check: may still stop it by throwing. */
  beforeWrite: () => Promise<void> = async () => {},
): Promise<ActionOutcome> {
  const target = action.target;
  const ref: Ref = {
    apiVersion: target.apiVersion,
    kind: target.kind,
    name: target.name,
    namespace: target.namespace,
  };
  const label = `${target.kind.toLowerCase()} ${target.namespace ? `${target.namespace}/` : ''}${target.name}`;
  let current: Awaited<ReturnType<typeof readTarget>>;
  try {
    current = await readTarget(cluster, ref);
  } catch (error) {
    if (error instanceof KubernetesError && error.status === 404)
      throw new TargetChangedError(`target changed since proposed: ${label} no longer exists`);
    throw error;
  }
  if (current.metadata?.uid !== target.uid) {
    throw new TargetChangedError(
      `target changed since proposed: ${label} was deleted and created again`,
    );
  }
  if (current.metadata?.deletionTimestamp !== undefined) {
    throw new TargetChangedError(
      `target changed since proposed: ${label} is already being deleted`,
    );
  }
  if (action.type === 'scale') await refuseIfAutoscaled(cluster, ref);
  const before = current.metadata?.resourceVersion ?? '';
  // Judged again on what the server would do now: policy may not trust the proposal's record.
  const fresh = await dryRun(cluster, ref, current, action.change);
  const reasons = escalations(targetOf(ref), fresh.leaves, fresh.after);
  if (reasons.length > 0) throw new ForbiddenChangeError(label, reasons);
  if (fresh.digest !== action.digest) {
    throw new TargetChangedError(
      before === target.resourceVersion
        ? `target changed since proposed: the server's dry run of ${label} no longer matches what was approved`
        : `target changed since proposed: ${label} was modified (resourceVersion ${target.resourceVersion} → ${before}) and the change would no longer do what was approved`,
    );
  }
  await beforeWrite();
  try {
    const after = await writeTarget(cluster, ref, withPrecondition(action.change, current), {
      dryRun: false,
      uid: target.uid,
    });
    return {
      summary: action.summary,
      resourceVersionBefore: before,
      resourceVersionAfter: after?.metadata?.resourceVersion,
    };
  } catch (error) {
    if (error instanceof KubernetesError && error.status === 409) {
      throw new TargetChangedError(
        `target changed since proposed: ${label} was modified while the change was being applied`,
        'maybe',
      );
    }
    throw error;
  }
}
