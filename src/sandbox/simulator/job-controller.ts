import type { KObject, ObjectStore } from '../api/store.ts';
import {
  type Condition,
  type Controller,
  createPod,
  deletePod,
  isFinished,
  ownedPods,
  type PodTemplate,
  phaseOf,
  podReady,
  resourceType,
} from './controller-kit.ts';
import type { EventRecorder } from './events.ts';
import { stamp } from './events.ts';

/**
 * The Job controller: runs `parallelism` pods at a time until `completions` have succeeded,
 * replaces failed pods after the controller's back-off (10 s doubling, at most 6 min) until
 * `backoffLimit` is passed, and fails the job at `activeDeadlineSeconds`. Conditions, counts
 * and events read as batch/v1's in Kubernetes 1.31+ (SuccessCriteriaMet before Complete,
 * FailureTarget before Failed).
 */
export const JOBS = resourceType('batch', 'v1', 'jobs');

const SOURCE = { component: 'job-controller' };
const POD_BACKOFF_SECONDS = 10;
const MAX_POD_BACKOFF_SECONDS = 360;

export type JobSpec = {
  completions?: number;
  parallelism?: number;
  backoffLimit?: number;
  activeDeadlineSeconds?: number;
  suspend?: boolean;
  selector?: { matchLabels?: Record<string, string> };
  manualSelector?: boolean;
  template?: PodTemplate & { spec?: { restartPolicy?: string } };
};

export type JobStatus = {
  active?: number;
  succeeded?: number;
  failed?: number;
  ready?: number;
  startTime?: string;
  completionTime?: string;
  conditions?: Condition[];
};

type Failure = { reason: string; message: string; event: string };

export class JobController implements Controller {
  readonly #store: ObjectStore;
  readonly #events: EventRecorder;
  /** When each job may next create a pod, after a failure's back-off. */
  readonly #nextCreate = new Map<string, number>();
  /** The pods each job's controller ended before they finished. */
  readonly #ended = new Map<string, Set<string>>();

  constructor(store: ObjectStore, events: EventRecorder) {
    this.#store = store;
    this.#events = events;
  }

  nextDeadline(): number | undefined {
    const times = [...this.#nextCreate.values()];
    for (const job of this.#store.view(JOBS)) {
      const expiry = expiryOf(job);
      if (expiry !== undefined) times.push(expiry);
      const spec = job.spec as JobSpec;
      const start = (job.status as JobStatus | undefined)?.startTime;
      if (finishedJob(job) || spec.activeDeadlineSeconds === undefined || start === undefined)
        continue;
      times.push(Date.parse(start) + spec.activeDeadlineSeconds * 1000);
    }
    return times.length === 0 ? undefined : Math.min(...times);
  }

  reconcile(): void {
    const live = new Set<string>();
    const now = this.#store.now().getTime();
    for (const job of this.#store.view(JOBS)) {
      live.add(job.metadata.uid ?? '');
      if (job.metadata.deletionTimestamp !== undefined) continue;
      if (!finishedJob(job)) this.#job(job);
      else if ((expiryOf(job) ?? Number.POSITIVE_INFINITY) <= now)
        this.#store.remove(JOBS, job.metadata.namespace, job.metadata.name);
    }
    for (const uid of this.#nextCreate.keys()) if (!live.has(uid)) this.#nextCreate.delete(uid);
    for (const uid of this.#ended.keys()) if (!live.has(uid)) this.#ended.delete(uid);
  }

  #job(input: KObject): void {
    const job = this.#withSelector(input);
    const spec = job.spec as JobSpec;
    const previous = (job.status ?? {}) as JobStatus;
    const now = this.#store.now();
    const pods = ownedPods(this.#store, job);
    const active = pods.filter((p) => p.metadata.deletionTimestamp === undefined && !isFinished(p));
    const succeeded = pods.filter((p) => phaseOf(p) === 'Succeeded').length;
    const failedPods = pods.filter((p) => phaseOf(p) === 'Failed');
    const failed = failedPods.length;
    const startTime = previous.startTime ?? stamp(now);
    const completions = spec.completions;
    const complete =
      completions === undefined ? succeeded > 0 && active.length === 0 : succeeded >= completions;
    const target = previous.conditions?.find(
      (c) => c.type === 'FailureTarget' && c.status === 'True',
    );
    const failure =
      complete || target !== undefined ? undefined : this.#failure(job, active, failed, startTime);

    let conditions = previous.conditions;
    let completionTime = previous.completionTime;
    if (target !== undefined) {
      // A failing job is Failed once the pods it ended have terminated, as 1.31+ does.
      const terminating = pods.some((p) => p.metadata.deletionTimestamp !== undefined);
      if (!terminating) {
        const failed = terminal(['Failed'], target.reason ?? '', target.message ?? '', now);
        conditions = [...(previous.conditions ?? []), ...failed];
      }
    } else if (failure !== undefined) {
      for (const pod of active) this.#deletePod(job, pod);
      const types = active.length > 0 ? ['FailureTarget'] : ['FailureTarget', 'Failed'];
      active.length = 0;
      conditions = terminal(types, failure.reason, failure.message, now);
      this.#events.record(job, 'Warning', failure.event, failure.message, SOURCE);
    } else if (complete) {
      const message = 'Reached expected number of succeeded pods';
      conditions = terminal(['SuccessCriteriaMet', 'Complete'], 'CompletionsReached', message, now);
      completionTime = stamp(now);
      this.#events.record(job, 'Normal', 'Completed', 'Job completed', SOURCE);
    } else if (spec.suspend !== true) {
      this.#createPods(job, active, succeeded, failedPods);
    }

    const owned = ownedPods(this.#store, job);
    const live = owned.filter((p) => p.metadata.deletionTimestamp === undefined && !isFinished(p));
    const ended = this.#ended.get(job.metadata.uid ?? '')?.size ?? 0;
    const status: Record<string, unknown> = {
      ...(live.length > 0 ? { active: live.length } : {}),
      ...(succeeded > 0 ? { succeeded } : {}),
      ...(failed + ended > 0 ? { failed: failed + ended } : {}),
      ready: live.filter(podReady).length,
      terminating: owned.filter((p) => p.metadata.deletionTimestamp !== undefined).length,
      startTime,
      ...(completionTime === undefined ? {} : { completionTime }),
      ...(conditions === undefined ? {} : { conditions }),
      uncountedTerminatedPods: {},
    };
    this.#store.writeStatus(JOBS, { ...job, status });
  }

  /** Why the job fails now, if it does: past its backoff limit, or past its deadline. */
  #failure(
    job: KObject,
    active: KObject[],
    failed: number,
    startTime: string,
  ): Failure | undefined {
    const spec = job.spec as JobSpec;
    const limit = spec.backoffLimit ?? 6;
    const restarts = active.reduce((sum, pod) => sum + restartsOf(pod), 0);
    const onFailure = spec.template?.spec?.restartPolicy === 'OnFailure';
    const pastLimit = onFailure
      ? failed > limit || (limit === 0 ? restarts > 0 : restarts >= limit)
      : failed > limit;
    if (pastLimit) {
      const message = 'Job has reached the specified backoff limit';
      return { reason: 'BackoffLimitExceeded', message, event: 'BackoffLimitExceeded' };
    }
    const deadline = spec.activeDeadlineSeconds;
    if (
      deadline !== undefined &&
      this.#store.now().getTime() >= Date.parse(startTime) + deadline * 1000
    ) {
      const message = 'Job was active longer than specified deadline';
      return { reason: 'DeadlineExceeded', message, event: 'DeadlineExceeded' };
    }
    return undefined;
  }

  /** New pods up to `parallelism` and the completions still wanted, after any failure's back-off. */
  #createPods(job: KObject, active: KObject[], succeeded: number, failedPods: KObject[]): void {
    const spec = job.spec as JobSpec;
    const parallelism = spec.parallelism ?? 1;
    const remaining =
      spec.completions === undefined
        ? succeeded > 0
          ? 0
          : parallelism
        : spec.completions - succeeded;
    const wanted = Math.max(0, Math.min(parallelism, remaining) - active.length);
    if (wanted === 0) return;
    const uid = job.metadata.uid ?? '';
    const lastFailure = Math.max(0, ...failedPods.map(finishedAt));
    const now = this.#store.now().getTime();
    if (failedPods.length > 0) {
      const delay = Math.min(
        POD_BACKOFF_SECONDS * 2 ** (failedPods.length - 1),
        MAX_POD_BACKOFF_SECONDS,
      );
      const at = lastFailure + delay * 1000;
      if (now < at) {
        this.#nextCreate.set(uid, at);
        return;
      }
    }
    this.#nextCreate.delete(uid);
    for (let i = 0; i < wanted; i++) {
      const pod = createPod(this.#store, job, spec.template ?? {}, {
        generateName: `${job.metadata.name}-`,
      });
      this.#events.record(
        job,
        'Normal',
        'SuccessfulCreate',
        `Created pod: ${pod.metadata.name}`,
        SOURCE,
      );
    }
  }

  #deletePod(job: KObject, pod: KObject): void {
    deletePod(this.#store, pod);
    // A pod the controller ends before it finished counts as failed, as with pod tracking.
    const uid = job.metadata.uid ?? '';
    this.#ended.set(uid, (this.#ended.get(uid) ?? new Set()).add(pod.metadata.uid ?? ''));
    this.#events.record(
      job,
      'Normal',
      'SuccessfulDelete',
      `Deleted pod: ${pod.metadata.name}`,
      SOURCE,
    );
  }

  /**
   * The selector and labels the API server gives a job when it is created, which need its uid:
   * `batch.kubernetes.io/controller-uid` and `job-name`, with their legacy twins.
   */
  #withSelector(job: KObject): KObject {
    const spec = job.spec as JobSpec;
    if (spec.selector !== undefined) return job;
    const uid = job.metadata.uid ?? '';
    const name = job.metadata.name;
    const labels = {
      'batch.kubernetes.io/controller-uid': uid,
      'batch.kubernetes.io/job-name': name,
      'controller-uid': uid,
      'job-name': name,
    };
    const template = spec.template ?? {};
    return this.#store.replace(JOBS, {
      ...job,
      metadata: { ...job.metadata, labels: { ...labels, ...(job.metadata.labels ?? {}) } },
      spec: {
        ...spec,
        manualSelector: false,
        selector: { matchLabels: { 'batch.kubernetes.io/controller-uid': uid } },
        template: {
          ...template,
          metadata: {
            ...(template.metadata ?? {}),
            labels: { ...(template.metadata?.labels ?? {}), ...labels },
          },
        },
      },
    });
  }
}

/** When a finished job with ttlSecondsAfterFinished is deleted by the TTL controller. */
function expiryOf(job: KObject): number | undefined {
  const ttl = (job.spec as { ttlSecondsAfterFinished?: number }).ttlSecondsAfterFinished;
  if (ttl === undefined || !finishedJob(job)) return undefined;
  const finished = (job.status as JobStatus).conditions?.find(
    (c) => (c.type === 'Complete' || c.type === 'Failed') && c.status === 'True',
  );
  const at = Date.parse(finished?.lastTransitionTime ?? '');
  return Number.isNaN(at) ? undefined : at + ttl * 1000;
}

/** Whether the job has its Complete or Failed condition. */
export function finishedJob(job: KObject): boolean {
  return ((job.status as JobStatus | undefined)?.conditions ?? []).some(
    (c) => (c.type === 'Complete' || c.type === 'Failed') && c.status === 'True',
  );
}

function terminal(types: string[], reason: string, message: string, now: Date): Condition[] {
  const at = stamp(now);
  return types.map((type) => ({
    type,
    status: 'True',
    reason,
    message,
    lastProbeTime: at,
    lastTransitionTime: at,
  }));
}

function restartsOf(pod: KObject): number {
  const statuses =
    (pod.status as { containerStatuses?: { restartCount?: number }[] } | undefined)
      ?.containerStatuses ?? [];
  return statuses.reduce((sum, s) => sum + (s.restartCount ?? 0), 0);
}

/** When the pod's last container ended. */
function finishedAt(pod: KObject): number {
  const statuses =
    (
      pod.status as
        | { containerStatuses?: { state?: { terminated?: { finishedAt?: string } } }[] }
        | undefined
    )?.containerStatuses ?? [];
  return Math.max(
    0,
    ...statuses.map((s) => Date.parse(s.state?.terminated?.finishedAt ?? '') || 0),
  );
}
