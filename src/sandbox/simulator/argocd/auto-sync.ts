import type { AppSpec, AppStatus, Operation } from './application.ts';
import type { Comparison } from './comparison.ts';

/**
 * Argo CD's automated sync policy: an OutOfSync application syncs by itself to a revision it has
 * not synced yet; once synced there, a drift is put back only with `selfHeal`, and no sooner than
 * `SELF_HEAL_SECONDS` after the last sync ended. A failed automated sync is not tried again on
 * the same revision. Each self-heal counts in `selfHealAttemptsCount`, so a fight with someone
 * who keeps changing a resource by hand shows.
 */
export const SELF_HEAL_SECONDS = 5;

export type AutoSync =
  | { kind: 'sync'; operation: Operation; message: string }
  | { kind: 'wait'; until: number }
  | { kind: 'none' };

export function autoSync(
  spec: AppSpec,
  status: AppStatus,
  revision: string,
  comparison: Comparison,
  now: number,
): AutoSync {
  const automated = spec.syncPolicy?.automated;
  if (automated === undefined || automated === null || comparison.sync !== 'OutOfSync')
    return { kind: 'none' };
  const last = status.operationState;
  if (last?.phase === 'Running') return { kind: 'none' };
  const sameRevision = last?.syncResult?.revision === revision;
  if (sameRevision && last?.phase !== 'Succeeded' && last?.operation.initiatedBy?.automated)
    return { kind: 'none' };
  const prune = automated.prune === true;
  if (!sameRevision || last?.phase !== 'Succeeded')
    return {
      kind: 'sync',
      operation: operation(revision, prune, 0),
      message: `Initiated automated sync to '${revision}'`,
    };
  if (automated.selfHeal !== true) return { kind: 'none' };
  const until = Date.parse(last.finishedAt ?? last.startedAt) + SELF_HEAL_SECONDS * 1000;
  if (now < until) return { kind: 'wait', until };
  const attempts = (last.operation.sync?.selfHealAttemptsCount ?? 0) + 1;
  return {
    kind: 'sync',
    operation: operation(revision, prune, attempts),
    message: `Initiated automated sync to '${revision}' to self-heal: ${driftText(comparison)}`,
  };
}

function operation(revision: string, prune: boolean, selfHealAttemptsCount: number): Operation {
  return {
    sync: { revision, prune, ...(selfHealAttemptsCount > 0 ? { selfHealAttemptsCount } : {}) },
    initiatedBy: { automated: true },
  };
}

/** `apps/Deployment storefront/cart (spec.replicas)`, for each drifted resource. */
function driftText(comparison: Comparison): string {
  return comparison.resources
    .filter((r) => r.status === 'OutOfSync')
    .map((r) => {
      const key = `${r.group}/${r.kind}/${r.namespace}/${r.name}`;
      const paths = (comparison.drift.get(key) ?? []).map((d) => d.path);
      const what = r.requiresPruning
        ? 'not in Git'
        : paths.length === 0
          ? 'missing'
          : paths.join(', ');
      return `${r.group === '' ? '' : `${r.group}/`}${r.kind} ${r.namespace}/${r.name} (${what})`;
    })
    .join('; ');
}
