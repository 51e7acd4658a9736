import type { KObject, ObjectStore } from '../api/store.ts';
import { type Controller, ownerRef, resourceType } from './controller-kit.ts';
import { parseSchedule, type Schedule, ScheduleError } from './cron-schedule.ts';
import type { EventRecorder } from './events.ts';
import { stamp } from './events.ts';
import { finishedJob, JOBS, type JobSpec, type JobStatus } from './job-controller.ts';

/**
 * The CronJob controller: at each scheduled minute it creates the Job `<name>-<minutes since
 * the epoch>`, honouring suspend, concurrencyPolicy and startingDeadlineSeconds as the real
 * one does (a start it missed runs late unless the deadline passed; more than 100 missed starts
 * are warned about), and keeps the history limits. Schedules are read in UTC.
 */
export const CRONJOBS = resourceType('batch', 'v1', 'cronjobs');

const SOURCE = { component: 'cronjob-controller' };
const MAX_MISSED = 100;

type CronJobSpec = {
  schedule?: string;
  suspend?: boolean;
  startingDeadlineSeconds?: number;
  concurrencyPolicy?: string;
  successfulJobsHistoryLimit?: number;
  failedJobsHistoryLimit?: number;
  jobTemplate?: {
    metadata?: { labels?: Record<string, string>; annotations?: Record<string, string> };
    spec?: JobSpec;
  };
};
type CronJobStatus = {
  active?: Record<string, unknown>[];
  lastScheduleTime?: string;
  lastSuccessfulTime?: string;
};

export class CronJobController implements Controller {
  readonly #store: ObjectStore;
  readonly #events: EventRecorder;
  /** What each cronjob was last told about, so that a repeated sync does not repeat an event. */
  readonly #told = new Map<string, string>();

  constructor(store: ObjectStore, events: EventRecorder) {
    this.#store = store;
    this.#events = events;
  }

  nextDeadline(): number | undefined {
    const now = this.#store.now().getTime();
    let next: number | undefined;
    for (const cronJob of this.#store.view(CRONJOBS)) {
      const spec = cronJob.spec as CronJobSpec;
      if (spec.suspend === true) continue;
      const at = scheduleOf(spec)?.next(now);
      if (at !== undefined) next = next === undefined ? at : Math.min(next, at);
    }
    return next;
  }

  reconcile(): void {
    for (const cronJob of this.#store.view(CRONJOBS)) {
      if (cronJob.metadata.deletionTimestamp === undefined) this.#cronJob(cronJob);
    }
  }

  #cronJob(cronJob: KObject): void {
    const spec = cronJob.spec as CronJobSpec;
    const previous = (cronJob.status ?? {}) as CronJobStatus;
    const jobs = this.#jobsOf(cronJob);
    this.#sawCompleted(cronJob, previous, jobs);
    let active = jobs.filter((j) => !finishedJob(j));
    let lastScheduleTime = previous.lastScheduleTime;
    const schedule = scheduleOf(spec);
    if (spec.suspend !== true && schedule !== undefined) {
      const due = this.#due(cronJob, schedule, previous);
      if (due !== undefined && this.#mayStart(cronJob, due, active)) {
        if (spec.concurrencyPolicy === 'Replace') {
          for (const job of active) this.#deleteJob(cronJob, job);
          active = [];
        }
        const made = this.#createJob(cronJob, due);
        if (made !== undefined) active.push(made);
        lastScheduleTime = stamp(new Date(due));
      }
    }
    this.#cleanHistory(cronJob, this.#jobsOf(cronJob));
    const status: CronJobStatus = {
      ...(active.length > 0
        ? {
            active: active.map(
              (j) => previous.active?.find((r) => r.uid === j.metadata.uid) ?? reference(j),
            ),
          }
        : {}),
      ...(lastScheduleTime === undefined ? {} : { lastScheduleTime }),
      ...lastSuccess(jobs, previous),
    };
    this.#store.writeStatus(CRONJOBS, { ...cronJob, status });
  }

  /** The most recent scheduled time not yet started, if one is due now. */
  #due(cronJob: KObject, schedule: Schedule, status: CronJobStatus): number | undefined {
    const spec = cronJob.spec as CronJobSpec;
    const now = this.#store.now().getTime();
    let earliest = Date.parse(status.lastScheduleTime ?? cronJob.metadata.creationTimestamp ?? '');
    if (Number.isNaN(earliest)) earliest = now;
    if (spec.startingDeadlineSeconds !== undefined)
      earliest = Math.max(earliest, now - spec.startingDeadlineSeconds * 1000);
    const first = schedule.next(earliest);
    let missed = 0;
    let latest: number | undefined;
    for (let t = first; t !== undefined && t <= now && missed <= MAX_MISSED; t = schedule.next(t)) {
      latest = t;
      missed++;
    }
    if (missed > MAX_MISSED && first !== undefined) {
      // Only the most recent time is started; the count in the warning is the real one's estimate.
      latest = mostRecent(schedule, now);
      const second = schedule.next(first) ?? now;
      missed = Math.floor(((latest ?? now) - first) / Math.max(second - first, 60_000)) + 1;
      this.#tellOnce(
        cronJob,
        'Warning',
        'TooManyMissedTimes',
        `too many missed start times: ${missed}. Set or decrease .spec.startingDeadlineSeconds or check clock skew`,
        `missed/${latest}`,
      );
    }
    return latest;
  }

  /** Whether the job for `due` may start: not too late, and not forbidden by a running one. */
  #mayStart(cronJob: KObject, due: number, active: KObject[]): boolean {
    const spec = cronJob.spec as CronJobSpec;
    const now = this.#store.now().getTime();
    if (
      spec.startingDeadlineSeconds !== undefined &&
      due + spec.startingDeadlineSeconds * 1000 < now
    ) {
      const when = rfc1123z(new Date(due));
      this.#tellOnce(
        cronJob,
        'Warning',
        'MissSchedule',
        `Missed scheduled time to start a job: ${when}`,
        `miss/${due}`,
      );
      return false;
    }
    if (this.#store.get(JOBS, cronJob.metadata.namespace, jobName(cronJob, due)) !== undefined)
      return false;
    if (spec.concurrencyPolicy === 'Forbid' && active.length > 0) {
      this.#tellOnce(
        cronJob,
        'Normal',
        'JobAlreadyActive',
        'Not starting job because prior execution is running and concurrency policy is Forbid',
        `forbid/${due}`,
      );
      return false;
    }
    return true;
  }

  #createJob(cronJob: KObject, due: number): KObject | undefined {
    const spec = cronJob.spec as CronJobSpec;
    const template = spec.jobTemplate ?? {};
    const job = this.#store.create(JOBS, {
      apiVersion: 'batch/v1',
      kind: 'Job',
      metadata: {
        name: jobName(cronJob, due),
        namespace: cronJob.metadata.namespace ?? 'default',
        labels: { ...(template.metadata?.labels ?? {}) },
        annotations: {
          ...(template.metadata?.annotations ?? {}),
          'batch.kubernetes.io/cronjob-scheduled-timestamp': stamp(new Date(due)),
        },
        ownerReferences: [ownerRef(cronJob)],
      },
      spec: structuredClone(template.spec ?? {}),
    });
    this.#events.record(
      cronJob,
      'Normal',
      'SuccessfulCreate',
      `Created job ${job.metadata.name}`,
      SOURCE,
    );
    return job;
  }

  #deleteJob(cronJob: KObject, job: KObject): void {
    this.#store.remove(JOBS, job.metadata.namespace, job.metadata.name);
    this.#events.record(
      cronJob,
      'Normal',
      'SuccessfulDelete',
      `Deleted job ${job.metadata.name}`,
      SOURCE,
    );
  }

  /** A job that was active when last looked at and has finished since. */
  #sawCompleted(cronJob: KObject, previous: CronJobStatus, jobs: KObject[]): void {
    const wasActive = new Set((previous.active ?? []).map((r) => r.uid));
    for (const job of jobs) {
      if (!wasActive.has(job.metadata.uid) || !finishedJob(job)) continue;
      const condition = (job.status as JobStatus).conditions?.find(
        (c) => (c.type === 'Complete' || c.type === 'Failed') && c.status === 'True',
      );
      this.#events.record(
        cronJob,
        'Normal',
        'SawCompletedJob',
        `Saw completed job: ${job.metadata.name}, condition: ${condition?.type}`,
        SOURCE,
      );
    }
  }

  /** Deletes the oldest finished jobs beyond successfulJobsHistoryLimit and failedJobsHistoryLimit. */
  #cleanHistory(cronJob: KObject, jobs: KObject[]): void {
    const spec = cronJob.spec as CronJobSpec;
    const byStart = (a: KObject, b: KObject) => startOf(a) - startOf(b);
    const failed = (job: KObject) =>
      (job.status as JobStatus | undefined)?.conditions?.some(
        (c) => c.type === 'Failed' && c.status === 'True',
      ) === true;
    const finished = jobs.filter(finishedJob).sort(byStart);
    const groups: [KObject[], number][] = [
      [finished.filter((j) => !failed(j)), spec.successfulJobsHistoryLimit ?? 3],
      [finished.filter(failed), spec.failedJobsHistoryLimit ?? 1],
    ];
    for (const [group, limit] of groups) {
      for (const job of group.slice(0, Math.max(0, group.length - limit)))
        this.#deleteJob(cronJob, job);
    }
  }

  #jobsOf(cronJob: KObject): KObject[] {
    return this.#store
      .view(JOBS, cronJob.metadata.namespace)
      .filter((j) => j.metadata.ownerReferences?.some((o) => o.uid === cronJob.metadata.uid));
  }

  #tellOnce(
    cronJob: KObject,
    type: 'Normal' | 'Warning',
    reason: string,
    message: string,
    key: string,
  ): void {
    const uid = cronJob.metadata.uid ?? '';
    if (this.#told.get(uid) === key) return;
    this.#told.set(uid, key);
    this.#events.record(cronJob, type, reason, message, SOURCE);
  }
}

/** The latest scheduled time at or before `now`, looked for in widening windows. */
function mostRecent(schedule: Schedule, now: number): number | undefined {
  for (const hours of [1, 24, 24 * 32, 24 * 400, 24 * 366 * 5]) {
    let latest: number | undefined;
    for (
      let t = schedule.next(now - hours * 3_600_000);
      t !== undefined && t <= now;
      t = schedule.next(t)
    )
      latest = t;
    if (latest !== undefined) return latest;
  }
  return undefined;
}

function scheduleOf(spec: CronJobSpec): Schedule | undefined {
  try {
    return parseSchedule(spec.schedule ?? '');
  } catch (error) {
    if (error instanceof ScheduleError) return undefined;
    throw error;
  }
}

/** `<cronjob>-<scheduled minutes since the epoch>`, as the real controller names its jobs. */
export function jobName(cronJob: KObject, due: number): string {
  return `${cronJob.metadata.name}-${Math.floor(due / 60_000)}`;
}

function reference(job: KObject): Record<string, unknown> {
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    name: job.metadata.name,
    namespace: job.metadata.namespace,
    resourceVersion: job.metadata.resourceVersion,
    uid: job.metadata.uid,
  };
}

function lastSuccess(jobs: KObject[], previous: CronJobStatus): CronJobStatus {
  const times = jobs
    .map((j) => (j.status as JobStatus | undefined)?.completionTime)
    .filter((t): t is string => t !== undefined);
  if (previous.lastSuccessfulTime !== undefined) times.push(previous.lastSuccessfulTime);
  const latest = times.sort().at(-1);
  return latest === undefined ? {} : { lastSuccessfulTime: latest };
}

function startOf(job: KObject): number {
  const start = (job.status as JobStatus | undefined)?.startTime;
  return Date.parse(start ?? job.metadata.creationTimestamp ?? '') || 0;
}

/** Go's RFC1123Z in UTC: `Mon, 02 Mar 2026 10:05:00 +0000`. */
function rfc1123z(date: Date): string {
  return date.toUTCString().replace('GMT', '+0000');
}
