import type { V1CronJob } from '@kubernetes/client-node';
import { parseCron } from '../../../shared/cron.ts';
import { eventsAbout, type Finding, type ObjectRef, refOf, type Snapshot } from './finding.ts';
import { isoTime } from './time.ts';

/** How late a run may be before it counts as missed: the controller checks every ten seconds. */
const GRACE_MS = 2 * 60_000;

/**
 * Findings about CronJobs: suspended ones (said, not alarmed: someone may mean it), and ones whose
 * last run is behind their schedule, with why: too many missed starts, a run still going under
 * `concurrencyPolicy: Forbid`, a starting deadline passed. `now` is when the snapshot was read.
 */
export function analyzeCronJobs(snapshot: Snapshot, now: Date = new Date()): Finding[] {
  return snapshot.cronJobs.flatMap((cronJob) => cronJobFinding(cronJob, snapshot, now) ?? []);
}

function cronJobFinding(cronJob: V1CronJob, snapshot: Snapshot, now: Date): Finding | undefined {
  const ref = refOf('CronJob', cronJob);
  if (cronJob.spec?.suspend === true)
    return {
      rule: 'cronjob/suspended',
      severity: 'info',
      object: ref,
      title: `cronjob ${ref.name} is suspended`,
      cause: 'spec.suspend is true, so it creates no jobs until someone resumes it',
      confidence: 'certain',
      confidenceReason: 'the CronJob spec says so',
      evidence: [`CronJob ${ref.name} spec.suspend: true`, lastRun(cronJob, ref)],
    };
  // The newest start time that is at least the grace old: one just due may be starting now.
  const expected = lastExpected(cronJob, new Date(now.getTime() - GRACE_MS));
  if (expected === undefined) return undefined;
  const last = cronJob.status?.lastScheduleTime ?? cronJob.metadata?.creationTimestamp;
  const lastMs = last === undefined ? 0 : new Date(last).getTime() || 0;
  if (lastMs >= expected.getTime()) return undefined;
  const late: Finding = {
    rule: 'cronjob/missed-schedule',
    severity: 'warning',
    object: ref,
    title: `cronjob ${ref.name} missed its run at ${isoTime(expected)}`,
    cause: '',
    confidence: 'certain',
    confidenceReason: '',
    evidence: [
      `CronJob ${ref.name} spec.schedule: ${cronJob.spec?.schedule}${cronJob.spec?.timeZone ? ` (${cronJob.spec.timeZone})` : ''}`,
      lastRun(cronJob, ref),
    ],
  };
  return { ...late, ...whyLate(cronJob, snapshot, ref, late.evidence) };
}

function lastExpected(cronJob: V1CronJob, now: Date): Date | undefined {
  const schedule = cronJob.spec?.schedule;
  if (schedule === undefined) return undefined;
  try {
    const options = {
      currentDate: now,
      ...(cronJob.spec?.timeZone ? { tz: cronJob.spec.timeZone } : {}),
    };
    return parseCron(schedule.replace(/^(CRON_)?TZ=\S+\s+/, ''), options)
      .prev()
      .toDate();
  } catch {
    // A schedule this parser does not read is not proof of a missed run.
    return undefined;
  }
}

function lastRun(cronJob: V1CronJob, ref: ObjectRef): string {
  const at = (d: Date | undefined) => (d === undefined ? 'never' : isoTime(d));
  return `CronJob ${ref.name} status.lastScheduleTime: ${at(cronJob.status?.lastScheduleTime)}, lastSuccessfulTime: ${at(cronJob.status?.lastSuccessfulTime)}`;
}

type Why = Pick<Finding, 'rule' | 'cause' | 'confidence' | 'confidenceReason' | 'evidence'>;

function whyLate(cronJob: V1CronJob, snapshot: Snapshot, ref: ObjectRef, evidence: string[]): Why {
  const tooMany = eventsAbout(snapshot.events, ref, ['TooManyMissedTimes'], 1);
  if (tooMany.length > 0)
    return {
      rule: 'cronjob/too-many-missed',
      cause:
        "the controller missed more than 100 start times and stopped trying; set spec.startingDeadlineSeconds (or check the controller's clock)",
      confidence: 'certain',
      confidenceReason: 'the controller says so in a TooManyMissedTimes event',
      evidence: [...evidence, ...tooMany],
    };
  const running = runningJob(cronJob, snapshot);
  if (cronJob.spec?.concurrencyPolicy === 'Forbid' && running !== undefined)
    return {
      rule: 'cronjob/concurrency-forbid',
      cause: `the job of an earlier run, ${running.name}, is still running${running.since ? ` (since ${running.since})` : ''}, and concurrencyPolicy Forbid skips new runs while it does`,
      confidence: 'certain',
      confidenceReason: 'the CronJob forbids concurrent runs and lists an active job',
      evidence: [
        ...evidence,
        `CronJob ${ref.name} spec.concurrencyPolicy: Forbid, status.active: ${running.name}`,
        ...eventsAbout(snapshot.events, ref, ['JobAlreadyActive'], 1),
      ],
    };
  const missed = eventsAbout(snapshot.events, ref, ['MissSchedule'], 1);
  const deadline = cronJob.spec?.startingDeadlineSeconds;
  if (missed.length > 0 || deadline !== undefined)
    return {
      rule: 'cronjob/missed-schedule',
      cause: `the run did not start within its startingDeadlineSeconds${deadline === undefined ? '' : ` (${deadline}s)`} and was skipped`,
      confidence: missed.length > 0 ? 'certain' : 'likely',
      confidenceReason:
        missed.length > 0
          ? 'the controller says so in a MissSchedule event'
          : 'a starting deadline is set and the run is late past it',
      evidence: [
        ...evidence,
        ...(deadline === undefined
          ? []
          : [`CronJob ${ref.name} spec.startingDeadlineSeconds: ${deadline}`]),
        ...missed,
      ],
    };
  return {
    rule: 'cronjob/missed-schedule',
    cause:
      "could not determine why the run did not start (checked: suspend, concurrencyPolicy and active jobs, starting deadline, the controller's events); is kube-controller-manager running?",
    confidence: 'unsure',
    confidenceReason: 'the run is late and nothing read says why',
    evidence,
  };
}

function runningJob(
  cronJob: V1CronJob,
  snapshot: Snapshot,
): { name: string; since?: string } | undefined {
  for (const active of cronJob.status?.active ?? []) {
    const job = snapshot.jobs.find(
      (j) =>
        j.metadata?.name === active.name && j.metadata?.namespace === cronJob.metadata?.namespace,
    );
    const done = job?.status?.conditions?.some(
      (c) => (c.type === 'Complete' || c.type === 'Failed') && c.status === 'True',
    );
    if (done === true) continue;
    const start = job?.status?.startTime;
    return { name: active.name ?? '?', ...(start ? { since: isoTime(start) } : {}) };
  }
  return undefined;
}
