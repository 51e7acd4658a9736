import { createHash } from 'node:crypto';
import type { WorkflowRunJob } from '../queue/jobs.ts';
import { labelsMatch } from '../shared/label-match.ts';
import type { Trigger, YamlWorkflow } from './yaml-schema.ts';

/**
 * What starts a workflow on its own: an alert whose labels match (the first workflow in file
 * order), and a schedule's ticks (BullMQ job schedulers, one per workflow and schedule however
 * many workers keep them in step with the files).
 */
/** The first workflow (in file order) an alert with these labels starts, if any. */
export function workflowForAlert(
  labels: Readonly<Record<string, string>>,
  workflows: Iterable<YamlWorkflow>,
): YamlWorkflow | undefined {
  for (const workflow of workflows)
    if (workflow.trigger.some((t) => t.kind === 'alert' && labelsMatch(t.match, labels)))
      return workflow;
  return undefined;
}

type Alert = {
  status: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  startsAt: string;
  fingerprint?: string | undefined;
  generatorURL?: string | undefined;
};

/**
 * At most this many runs from one notification: a group of a thousand alerts about one cause is
 * not a thousand investigations (the on-call threads coalesce them by subject).
 */
export const MAX_RUNS_PER_NOTIFICATION = 20;

/**
 * The runs an alert notification starts: one per firing alert a workflow matches, named by the
 * alert's fingerprint and start, so Alertmanager's repeats of the same alert start nothing new;
 * the first MAX_RUNS_PER_NOTIFICATION, with how many more there were.
 */
export function alertRuns(
  alerts: readonly Alert[],
  workflows: Iterable<YamlWorkflow>,
  receivedAt: string,
  /** The alert group's message, in whose thread the runs report. */
  threadKey?: string,
): { runs: { jobId: string; data: WorkflowRunJob }[]; beyond: number } {
  const all = matchingRuns(alerts, [...workflows], receivedAt).map((run) =>
    threadKey === undefined ? run : { ...run, data: { ...run.data, threadKey } },
  );
  return {
    runs: all.slice(0, MAX_RUNS_PER_NOTIFICATION),
    beyond: Math.max(0, all.length - MAX_RUNS_PER_NOTIFICATION),
  };
}

function matchingRuns(
  alerts: readonly Alert[],
  all: readonly YamlWorkflow[],
  receivedAt: string,
): { jobId: string; data: WorkflowRunJob }[] {
  return alerts.flatMap((alert) => {
    if (alert.status !== 'firing') return [];
    const workflow = workflowForAlert(alert.labels, all);
    if (workflow === undefined) return [];
    const identity = alert.fingerprint ?? JSON.stringify(Object.entries(alert.labels).sort());
    const digest = createHash('sha256')
      .update(`${workflow.name}/${identity}/${alert.startsAt}`)
      .digest('hex')
      .slice(0, 20);
    const runId = `${workflow.name}.alert.${digest}`;
    return [
      {
        jobId: `workflow.${runId}`,
        data: {
          kind: 'workflow',
          runId,
          workflow: workflow.name,
          trigger: 'alert',
          inputs: {},
          alert: { ...alert, receivedAt },
          // Shown on its cards as who asked: the alert, by name.
          requester: `alert:${(alert.labels.alertname ?? 'alert').slice(0, 150)}`,
        },
      },
    ];
  });
}

export type Schedule = {
  id: string;
  workflow: string;
  cron: string;
  timezone: string | undefined;
};

/** The schedulers the files ask for: `workflow.NAME.N` for the N-th schedule of NAME. */
export function schedulesOf(workflows: Iterable<YamlWorkflow>): Schedule[] {
  return [...workflows].flatMap((workflow) =>
    workflow.trigger
      .filter((t): t is Extract<Trigger, { kind: 'schedule' }> => t.kind === 'schedule')
      .map((t, i) => ({
        id: `workflow.${workflow.name}.${i}`,
        workflow: workflow.name,
        cron: t.cron,
        timezone: t.timezone,
      })),
  );
}

type SchedulerQueue = {
  upsertJobScheduler(
    id: string,
    repeat: { pattern: string; tz?: string },
    template: { name: string; data: WorkflowRunJob },
  ): Promise<unknown>;
  getJobScheduler(
    id: string,
  ): Promise<
    { pattern?: string | null; tz?: string | null; template?: { data?: unknown } } | undefined
  >;
  getJobSchedulers(start?: number, end?: number): Promise<{ key: string }[]>;
  removeJobScheduler(id: string): Promise<boolean>;
};

/**
 * Makes the queue's workflow schedulers those the files ask for: each one that is new or changed
 * upserted (the same id from every worker is one scheduler), those whose file or schedule is
 * gone, removed. An unchanged scheduler is left alone: upserting it would drop a tick that is due
 * but not yet taken by a worker.
 */
export async function syncSchedules(
  queue: SchedulerQueue,
  workflows: Iterable<YamlWorkflow>,
): Promise<{ kept: string[]; upserted: string[]; removed: string[] }> {
  const wanted = schedulesOf(workflows);
  const upserted: string[] = [];
  for (const schedule of wanted) {
    const repeat = {
      pattern: schedule.cron,
      ...(schedule.timezone === undefined ? {} : { tz: schedule.timezone }),
    };
    const data: WorkflowRunJob = {
      kind: 'workflow',
      workflow: schedule.workflow,
      trigger: 'schedule',
      inputs: {},
      requester: `schedule:${schedule.workflow}`,
    };
    const current = await queue.getJobScheduler(schedule.id);
    if (
      current !== undefined &&
      current.pattern === repeat.pattern &&
      (current.tz ?? undefined) === repeat.tz &&
      JSON.stringify(current.template?.data) === JSON.stringify(data)
    )
      continue;
    await queue.upsertJobScheduler(schedule.id, repeat, { name: 'workflow', data });
    upserted.push(schedule.id);
  }
  const ids = new Set(wanted.map((s) => s.id));
  const removed: string[] = [];
  for (const { key } of await queue.getJobSchedulers(0, -1))
    if (key.startsWith('workflow.') && !ids.has(key) && (await queue.removeJobScheduler(key)))
      removed.push(key);
  return { kept: [...ids], upserted, removed };
}
