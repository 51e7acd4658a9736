import type { ObjectStore } from '../../api/store.ts';
import { stamp } from '../events.ts';
import type { AppSpec, AppStatus, Operation, OperationState } from './application.ts';
import { withCondition, withHistory } from './application.ts';
import { applyManifests } from './apply-manifests.ts';
import { compareApp } from './comparison.ts';
import type { Target } from './target-state.ts';

/**
 * A sync operation, as Argo CD's controller runs one: the revision it names (or the source's
 * target revision) resolved, its manifests applied, Running for a moment, then Succeeded with a
 * history entry; or Failed (an object refused, with a SyncError condition) or Error (the
 * revision or manifests could not be read), with no change to the cluster.
 */
export const SYNC_SECONDS = 1;

export type OperationOutcome = {
  status: AppStatus;
  /** Whether the Application's `operation` field is cleared: the operation ended. */
  ended: boolean;
  /** An event to record about the Application. */
  event?: { type: 'Normal' | 'Warning'; reason: string; message: string };
};

/** Starts `operation`: applies its manifests, or ends at once when it cannot. */
export function startOperation(
  store: ObjectStore,
  app: { name: string; spec: AppSpec; status: AppStatus },
  operation: Operation,
  target: Target,
): OperationOutcome {
  const now = stamp(store.now());
  const base = { operation, startedAt: now };
  if (!target.ok)
    return ended(app.status, { ...base, phase: 'Error', message: target.error, finishedAt: now });
  const source = operation.sync?.source ?? app.spec.source ?? {};
  const prune = operation.sync?.prune === true || app.spec.syncPolicy?.automated?.prune === true;
  const extra = compareApp(store, target.desired, app.name).extra;
  const applied = applyManifests(
    store,
    target.desired.map((d) => d.object),
    extra,
    prune,
  );
  const syncResult = { revision: target.revision, source, resources: applied.results };
  if (!applied.ok) {
    const reason = applied.results.find((r) => r.status === 'SyncFailed')?.message ?? 'refused';
    const message = `one or more objects failed to apply, reason: ${reason}`;
    const state: OperationState = {
      ...base,
      phase: 'Failed',
      message,
      finishedAt: now,
      syncResult,
    };
    const status = {
      ...app.status,
      conditions: withCondition(
        app.status.conditions,
        'SyncError',
        `Failed sync attempt to ${target.revision}: ${message}`,
        now,
      ),
    };
    return {
      ...ended(status, state),
      event: {
        type: 'Warning',
        reason: 'OperationCompleted',
        message: `Sync operation to ${target.revision} failed: ${message}`,
      },
    };
  }
  const state: OperationState = {
    ...base,
    phase: 'Running',
    message: 'one or more tasks are running',
    syncResult,
  };
  return { status: { ...app.status, operationState: state }, ended: false };
}

/** Ends a running sync that has run its course: Succeeded, with the deployment in `history`. */
export function finishOperation(store: ObjectStore, status: AppStatus): OperationOutcome {
  const state = status.operationState;
  if (state?.phase !== 'Running' || state.syncResult === undefined) return { status, ended: false };
  const now = stamp(store.now());
  const { revision, source } = state.syncResult;
  const history = withHistory(status.history, {
    revision,
    deployedAt: now,
    deployStartedAt: state.startedAt,
    source,
    ...(state.operation.initiatedBy === undefined
      ? {}
      : { initiatedBy: state.operation.initiatedBy }),
  });
  const done: OperationState = {
    ...state,
    phase: 'Succeeded',
    message: 'successfully synced (all tasks run)',
    finishedAt: now,
  };
  return {
    status: {
      ...status,
      history,
      operationState: done,
      conditions: withCondition(status.conditions, 'SyncError', undefined, now),
    },
    ended: true,
    event: {
      type: 'Normal',
      reason: 'OperationCompleted',
      message: `Sync operation to ${revision} succeeded`,
    },
  };
}

function ended(status: AppStatus, state: OperationState): OperationOutcome {
  return { status: { ...status, operationState: state }, ended: true };
}

/** Whether the running operation state is the one for this `operation` field. */
export function isRunning(status: AppStatus, operation: Operation): boolean {
  const state = status.operationState;
  return (
    state?.phase === 'Running' && JSON.stringify(state.operation) === JSON.stringify(operation)
  );
}

/** When a running operation ends, in ms; undefined when none runs. */
export function runningUntil(status: AppStatus): number | undefined {
  const state = status.operationState;
  if (state?.phase !== 'Running') return undefined;
  return Date.parse(state.startedAt) + SYNC_SECONDS * 1000;
}
