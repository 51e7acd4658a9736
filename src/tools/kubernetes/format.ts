import type { V1ContainerStatus, V1Pod } from '@kubernetes/client-node';

/**
 * How cluster objects read in tool output and chat: kubectl's pod STATUS, human ages, and
 * aligned columns. Shared with the sandbox's server-side printing so both read the same.
 */
/**
 * The fields of a pod its STATUS and restarts are read from: a typed client's `V1Pod`, or a pod
 * as the API server sent it and a schema kept (dates are strings there).
 */
export type PodShape = {
  metadata?: { deletionTimestamp?: Date | string | undefined } | undefined;
  spec?: { nodeName?: string | undefined } | undefined;
  status?:
    | {
        phase?: string | undefined;
        reason?: string | undefined;
        conditions?: readonly { type: string; status: string }[] | undefined;
        containerStatuses?: readonly ContainerShape[] | undefined;
      }
    | undefined;
};

type ContainerShape = {
  restartCount?: number | undefined;
  state?:
    | {
        waiting?: { reason?: string | undefined } | undefined;
        terminated?: { reason?: string | undefined; exitCode?: number | undefined } | undefined;
      }
    | undefined;
};

export function podStatus(pod: PodShape): string {
  const status = pod.status ?? {};
  let reason = status.reason ?? status.phase ?? 'Unknown';
  for (const s of [...(status.containerStatuses ?? [])].reverse()) {
    if (s.state?.waiting?.reason) reason = s.state.waiting.reason;
    else if (s.state?.terminated?.reason) reason = s.state.terminated.reason;
    else if (s.state?.terminated) reason = `ExitCode:${s.state.terminated.exitCode}`;
  }
  const unscheduled = status.conditions?.some(
    (c) => c.type === 'PodScheduled' && c.status === 'False',
  );
  if (reason === 'Pending' && !unscheduled && pod.spec?.nodeName !== undefined)
    reason = 'ContainerCreating';
  if (pod.metadata?.deletionTimestamp !== undefined) reason = 'Terminating';
  return reason;
}

export function readyCount(pod: V1Pod): string {
  const statuses = pod.status?.containerStatuses ?? [];
  return `${statuses.filter((s) => s.ready).length}/${pod.spec?.containers.length ?? statuses.length}`;
}

export function restarts(pod: PodShape): number {
  return (pod.status?.containerStatuses ?? []).reduce((sum, s) => sum + (s.restartCount ?? 0), 0);
}

/** `OOMKilled (exit 137, 2m ago)` for the most recent termination of any container. */
export function lastTermination(statuses: readonly V1ContainerStatus[], now = Date.now()): string {
  const terminated = statuses
    .map((s) => s.lastState?.terminated)
    .filter((t) => t !== undefined)
    .sort((a, b) => time(b.finishedAt) - time(a.finishedAt))[0];
  if (terminated === undefined) return '-';
  const ago = terminated.finishedAt ? `, ${human(now - time(terminated.finishedAt))} ago` : '';
  return `${terminated.reason ?? 'Terminated'} (exit ${terminated.exitCode}${ago})`;
}

export function age(created: Date | string | undefined, now = Date.now()): string {
  return created === undefined ? '?' : human(now - time(created));
}

/** Kubernetes' HumanDuration: 45s, 3m12s, 25m, 5h3m, 2d4h, 200d. */
export function human(ms: number): string {
  const seconds = Math.max(0, Math.floor(ms / 1000));
  if (seconds < 120) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 10) return seconds % 60 === 0 ? `${minutes}m` : `${minutes}m${seconds % 60}s`;
  if (minutes < 180) return `${minutes}m`;
  const hours = Math.floor(minutes / 60);
  if (hours < 8) return minutes % 60 === 0 ? `${hours}h` : `${hours}h${minutes % 60}m`;
  if (hours < 48) return `${hours}h`;
  if (hours < 24 * 8)
    return hours % 24 === 0
      ? `${Math.floor(hours / 24)}d`
      : `${Math.floor(hours / 24)}d${hours % 24}h`;
  if (hours < 24 * 365 * 2) return `${Math.floor(hours / 24)}d`;
  return `${Math.floor(hours / 24 / 365)}y`;
}

/** Rows as aligned columns under a header, the way a terminal and a model both read easily. */
export function columns(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  return [line(header), ...rows.map(line)].join('\n');
}

export function time(value: Date | string | undefined): number {
  if (value === undefined) return 0;
  return value instanceof Date ? value.getTime() : Date.parse(value);
}

/** The first `limit` items, and a line saying how many were left out. */
export function limited<T>(
  items: readonly T[],
  limit: number,
  noun: string,
): { shown: T[]; note: string } {
  if (items.length <= limit) return { shown: [...items], note: '' };
  return {
    shown: items.slice(0, limit),
    note: `\n… ${items.length - limit} more ${noun} not shown`,
  };
}
