import type { ResourceResult } from './apply-manifests.ts';
import type { ResourceStatus } from './comparison.ts';
import type { Health } from './health.ts';

/**
 * The fields of an Argo CD Application (argoproj.io/v1alpha1) the simulated controller reads
 * and writes, named as Argo CD names them, so that any client of Argo CD's CRD reads them.
 */
export type Source = { repoURL?: string; path?: string; targetRevision?: string };

export type AppSpec = {
  project?: string;
  source?: Source;
  destination?: { server?: string; namespace?: string; name?: string };
  syncPolicy?: { automated?: { prune?: boolean; selfHeal?: boolean } | null } | null;
};

export type Operation = {
  sync?: {
    revision?: string;
    prune?: boolean;
    source?: Source;
    /** Consecutive automated syncs that put a drifted resource back to the same revision. */
    selfHealAttemptsCount?: number;
  };
  initiatedBy?: { username?: string; automated?: boolean };
  info?: { name: string; value: string }[];
};

export type OperationPhase = 'Running' | 'Succeeded' | 'Failed' | 'Error';

export type OperationState = {
  operation: Operation;
  phase: OperationPhase;
  message: string;
  startedAt: string;
  finishedAt?: string;
  syncResult?: { revision: string; source: Source; resources: ResourceResult[] };
};

export type HistoryEntry = {
  id: number;
  revision: string;
  deployedAt: string;
  deployStartedAt: string;
  source: Source;
  initiatedBy?: Operation['initiatedBy'];
};

export type AppCondition = { type: string; message: string; lastTransitionTime: string };

export type AppStatus = {
  sync?: { status: 'Synced' | 'OutOfSync' | 'Unknown'; revision?: string; comparedTo?: unknown };
  health?: Health;
  resources?: ResourceStatus[];
  conditions?: AppCondition[];
  history?: HistoryEntry[];
  operationState?: OperationState;
  reconciledAt?: string;
  sourceType?: string;
  summary?: { images?: string[] };
};

/** How many deployments `history` keeps, as Argo CD's `revisionHistoryLimit` default. */
export const HISTORY_LIMIT = 10;

export function withHistory(
  history: readonly HistoryEntry[] | undefined,
  entry: Omit<HistoryEntry, 'id'>,
): HistoryEntry[] {
  const list = history ?? [];
  const id = list.reduce((max, h) => Math.max(max, h.id + 1), 0);
  return [...list, { id, ...entry }].slice(-HISTORY_LIMIT);
}

/** `conditions` with `type` set to `message` (kept since it first held), or removed when undefined. */
export function withCondition(
  conditions: readonly AppCondition[] | undefined,
  type: string,
  message: string | undefined,
  now: string,
): AppCondition[] {
  const others = (conditions ?? []).filter((c) => c.type !== type);
  if (message === undefined) return others;
  const before = conditions?.find((c) => c.type === type);
  const lastTransitionTime = before?.message === message ? before.lastTransitionTime : now;
  return [...others, { type, message, lastTransitionTime }];
}
