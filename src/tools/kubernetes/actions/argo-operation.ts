import type { KubernetesObject } from '@kubernetes/client-node';
import type { Cluster } from '../cluster.ts';
import type { KubeAction } from './action.ts';
import { type Ref, readTarget } from './target-api.ts';

/**
 * An approved Argo CD sync or rollback after its write: the operation it set is found again by the
 * marker it carries in `operation.info` — still waiting in `operation`, or taken up by the
 * controller into `status.operationState` — and its end (Succeeded, Failed, Error) is what the
 * execution reports. Setting the same operation again is never "no change": the marker says
 * whether it was set already.
 */
export const OPERATION_MARKER = 'coxswain-proposal';

type Info = { name?: string; value?: string };
type AppView = KubernetesObject & {
  operation?: { info?: Info[] };
  status?: {
    operationState?: {
      operation?: { info?: Info[] };
      phase?: string;
      message?: string;
      syncResult?: { revision?: string; resources?: { status?: string }[] };
    };
    sync?: { status?: string };
    health?: { status?: string };
  };
};

/** A sync or rollback proposal: an Argo CD operation set on an Application. */
export function isArgoOperation(action: KubeAction): boolean {
  return (
    (action.type === 'argocd-sync' || action.type === 'argocd-rollback') &&
    action.target.kind === 'Application'
  );
}

export function markerOf(action: KubeAction): string | undefined {
  if (!isArgoOperation(action) || action.change.method !== 'patch') return undefined;
  const body = action.change.body as { operation?: { info?: Info[] } } | undefined;
  return body?.operation?.info?.find((i) => i.name === OPERATION_MARKER)?.value;
}

const carries = (info: Info[] | undefined, marker: string) =>
  info?.some((i) => i.name === OPERATION_MARKER && i.value === marker) === true;

/** Whether the operation with `marker` was set on the Application (waiting, running or ended). */
export function operationSet(current: KubernetesObject, marker: string): boolean {
  const app = current as AppView;
  return (
    carries(app.operation?.info, marker) ||
    carries(app.status?.operationState?.operation?.info, marker)
  );
}

/** Waits (at most `timeoutMs`) for the operation to end, and says how it ended. */
export async function verifyOperation(
  cluster: Cluster,
  ref: Ref,
  action: KubeAction,
  timeoutMs: number,
): Promise<{ ok: boolean; text: string }> {
  const marker = markerOf(action) ?? '';
  const deadline = Date.now() + timeoutMs;
  let last = 'Argo CD has not taken up the operation yet';
  while (true) {
    const app = (await readTarget(cluster, ref)) as AppView;
    const state = app.status?.operationState;
    if (carries(state?.operation?.info, marker)) {
      const phase = state?.phase ?? 'Unknown';
      if (phase === 'Succeeded') {
        const count = state?.syncResult?.resources?.length ?? 0;
        const revision = (state?.syncResult?.revision ?? '').slice(0, 7);
        return {
          ok: true,
          text: `Sync to ${revision} succeeded (${count} resources): application ${app.status?.sync?.status ?? 'Unknown'}, ${app.status?.health?.status ?? 'Unknown'}.`,
        };
      }
      if (phase === 'Failed' || phase === 'Error')
        return {
          ok: false,
          text: `Sync ${phase.toLowerCase()}: ${state?.message ?? 'no message'}.`,
        };
      last = `the operation is ${phase}: ${state?.message ?? ''}`;
    }
    if (Date.now() >= deadline)
      return { ok: false, text: `Not finished after ${Math.round(timeoutMs / 1000)} s: ${last}.` };
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}
