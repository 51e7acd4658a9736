import { CoxswainError } from '../../../errors.ts';
import { escalations } from '../../../policy/escalation.ts';
import type { Cluster } from '../cluster.ts';
import { KubernetesError } from '../errors.ts';
import type { KubeAction } from './action.ts';
import { markerOf, operationSet } from './argo-operation.ts';
import {
  ARGO_OPERATIONS,
  dryRun,
  ForbiddenChangeError,
  targetOf,
  withPrecondition,
} from './dry-run.ts';
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
  for (let attempt = 1; ; attempt++) {
    const { current, before } = await checkedTarget(cluster, ref, action, label);
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
      if (!(error instanceof KubernetesError && error.status === 409)) throw error;
      // Argo CD's controller writes an Application's status all the time: as the argocd CLI
      // does, an operation is set again on a fresh read, whose dry run must still be the one
      // approved (an operation set meanwhile, this one included, makes it differ).
      if (ARGO_OPERATIONS.has(action.type) && attempt < WRITE_ATTEMPTS) continue;
      throw new TargetChangedError(
        `target changed since proposed: ${label} was modified while the change was being applied`,
        'maybe',
      );
    }
  }
}

const WRITE_ATTEMPTS = 3;

type Current = Awaited<ReturnType<typeof readTarget>>;

/**
 * The target as it is now, checked against the proposal: the same object, not being deleted, and
 * the change's dry run on it still the one approved. The dry run carries the resourceVersion just
 * read; a controller writing the object in between (a status update) makes it a 409, and the
 * check starts again on a fresh read, a few times.
 */
async function checkedTarget(
  cluster: Cluster,
  ref: Ref,
  action: KubeAction,
  label: string,
): Promise<{ current: Current; before: string }> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await checkOnce(cluster, ref, action, label);
    } catch (error) {
      const raced = error instanceof KubernetesError && error.status === 409;
      if (!raced || attempt >= DRY_RUN_ATTEMPTS) throw error;
    }
  }
}

const DRY_RUN_ATTEMPTS = 3;

async function checkOnce(
  cluster: Cluster,
  ref: Ref,
  action: KubeAction,
  label: string,
): Promise<{ current: Current; before: string }> {
  const target = action.target;
  let current: Current;
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
  const marker = markerOf(action);
  if (marker !== undefined && operationSet(current, marker))
    throw new TargetChangedError(
      `target changed since proposed: ${label} already has this operation`,
      'maybe',
    );
  const before = current.metadata?.resourceVersion ?? '';
  // Judged again on what the server would do now: policy may not trust the proposal's record.
  const fresh = await dryRun(cluster, ref, current, action.change);
  const reasons = escalations(targetOf(ref), fresh.leaves, fresh.after, {
    argoOperation: ARGO_OPERATIONS.has(action.type),
  });
  if (reasons.length > 0) throw new ForbiddenChangeError(label, reasons);
  if (fresh.digest !== action.digest) {
    throw new TargetChangedError(
      before === target.resourceVersion
        ? `target changed since proposed: the server's dry run of ${label} no longer matches what was approved`
        : `target changed since proposed: ${label} was modified (resourceVersion ${target.resourceVersion} → ${before}) and the change would no longer do what was approved`,
    );
  }
  return { current, before };
}
