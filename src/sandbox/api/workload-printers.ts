import { human } from '../../tools/kubernetes/format.ts';
import type { Any } from './loose-object.ts';
import type { KObject } from './store.ts';

/**
 * `kubectl get` columns for jobs, cronjobs, statefulsets and daemonsets, and the autoscaler's
 * TARGETS cell, as the real API server prints them.
 */
type Column = { name: string; type: string; priority?: number; format?: string };
type Printer = { columns: Column[]; cells: (object: KObject, now: number) => unknown[] };

const col = (name: string, priority = 0, type = 'string'): Column => ({ name, type, priority });
const NAME: Column = { name: 'Name', type: 'string', format: 'name', priority: 0 };
const WIDE = [col('Containers', 1), col('Images', 1), col('Selector', 1)];

export const WORKLOAD_PRINTERS: Record<string, Printer> = {
  jobs: {
    columns: [NAME, col('Status'), col('Completions'), col('Duration'), col('Age'), ...WIDE],
    cells: (o, now) => {
      const spec = (o.spec ?? {}) as Any;
      return [
        o.metadata.name,
        jobStatus(o),
        completions(spec, (o.status ?? {}) as Any),
        duration((o.status ?? {}) as Any, now),
        age(o, now),
        ...wide(spec.template, spec.selector),
      ];
    },
  },
  cronjobs: {
    columns: [
      NAME,
      col('Schedule'),
      col('Timezone'),
      col('Suspend', 0, 'boolean'),
      col('Active', 0, 'integer'),
      col('Last Schedule'),
      col('Age'),
      ...WIDE,
    ],
    cells: (o, now) => {
      const spec = (o.spec ?? {}) as Any;
      const status = (o.status ?? {}) as Any;
      const last = Date.parse(status.lastScheduleTime ?? '');
      return [
        o.metadata.name,
        spec.schedule ?? '',
        spec.timeZone ?? '<none>',
        // The real printer prints the pointer as a word: True, False.
        spec.suspend === true ? 'True' : 'False',
        (status.active ?? []).length,
        Number.isNaN(last) ? '<none>' : human(now - last),
        age(o, now),
        ...wide(spec.jobTemplate?.spec?.template, spec.jobTemplate?.spec?.selector),
      ];
    },
  },
  statefulsets: {
    columns: [NAME, col('Ready'), col('Age'), col('Containers', 1), col('Images', 1)],
    cells: (o, now) => {
      const spec = (o.spec ?? {}) as Any;
      return [
        o.metadata.name,
        `${(o.status as Any)?.readyReplicas ?? 0}/${spec.replicas ?? 1}`,
        age(o, now),
        ...wide(spec.template, undefined).slice(0, 2),
      ];
    },
  },
  daemonsets: {
    columns: [
      NAME,
      col('Desired', 0, 'integer'),
      col('Current', 0, 'integer'),
      col('Ready', 0, 'integer'),
      col('Up-to-date', 0, 'integer'),
      col('Available', 0, 'integer'),
      col('Node Selector'),
      col('Age'),
      ...WIDE,
    ],
    cells: (o, now) => {
      const spec = (o.spec ?? {}) as Any;
      const status = (o.status ?? {}) as Any;
      const nodeSelector = Object.entries(spec.template?.spec?.nodeSelector ?? {})
        .map(([k, v]) => `${k}=${v}`)
        .join(',');
      return [
        o.metadata.name,
        status.desiredNumberScheduled ?? 0,
        status.currentNumberScheduled ?? 0,
        status.numberReady ?? 0,
        status.updatedNumberScheduled ?? 0,
        status.numberAvailable ?? 0,
        nodeSelector || '<none>',
        age(o, now),
        ...wide(spec.template, spec.selector),
      ];
    },
  },
};

/** `cpu: 40%/70%`, `memory: 64Mi/32Mi`, `cpu: <unknown>/70%`: each metric's current and target. */
export function hpaTargets(hpa: KObject): string {
  const metrics = ((hpa.spec as Any)?.metrics ?? []) as Any[];
  const current = ((hpa.status as Any)?.currentMetrics ?? []) as Any[];
  const cells = metrics.map((m) => {
    const name = m.resource?.name ?? m.type ?? '';
    const target = m.resource?.target ?? {};
    const now = current.find((c) => c.resource?.name === name)?.resource?.current;
    if (target.type === 'Utilization') {
      const value = now?.averageUtilization;
      return `${name}: ${value === undefined ? '<unknown>' : `${value}%`}/${target.averageUtilization}%`;
    }
    return `${name}: ${now?.averageValue ?? '<unknown>'}/${target.averageValue ?? target.value}`;
  });
  return cells.length === 0 ? '<none>' : cells.join(', ');
}

function jobStatus(job: KObject): string {
  const conditions = ((job.status as Any)?.conditions ?? []) as Any[];
  const has = (type: string) => conditions.some((c) => c.type === type && c.status === 'True');
  if (has('Complete')) return 'Complete';
  if (has('Failed')) return 'Failed';
  if (job.metadata.deletionTimestamp !== undefined) return 'Terminating';
  if (has('FailureTarget')) return 'FailureTarget';
  if (has('Suspended')) return 'Suspended';
  if (has('SuccessCriteriaMet')) return 'SuccessCriteriaMet';
  return 'Running';
}

function completions(spec: Any, status: Any): string {
  const succeeded = status.succeeded ?? 0;
  if (spec.completions !== undefined) return `${succeeded}/${spec.completions}`;
  const parallelism = spec.parallelism ?? 0;
  return parallelism > 1 ? `${succeeded}/1 of ${parallelism}` : `${succeeded}/1`;
}

function duration(status: Any, now: number): string {
  const start = Date.parse(status.startTime ?? '');
  if (Number.isNaN(start)) return '';
  const end = Date.parse(status.completionTime ?? '');
  return human((Number.isNaN(end) ? now : end) - start);
}

function wide(template: Any | undefined, selector: Any | undefined): string[] {
  const containers = (template?.spec?.containers ?? []) as Any[];
  const labels = Object.entries((selector?.matchLabels ?? {}) as Record<string, string>)
    .map(([k, v]) => `${k}=${v}`)
    .join(',');
  return [
    containers.map((c) => c.name).join(','),
    containers.map((c) => c.image).join(','),
    labels || '<none>',
  ];
}

function age(object: KObject, now: number): string {
  const created = Date.parse(object.metadata.creationTimestamp ?? '');
  return Number.isNaN(created) ? '<unknown>' : human(now - created);
}
