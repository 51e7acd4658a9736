import { groupId } from '../alerts/alert-groups.ts';
import type { Incidents } from '../alerts/incidents.ts';
import { investigation } from '../alerts/investigate.ts';
import type { Holder, Investigations } from '../alerts/investigations.ts';
import { routeAlert } from '../alerts/routing.ts';
import { AlertmanagerPayload } from '../alerts/schema.ts';
import { subjectOf } from '../alerts/subject.ts';
import { postToChat } from '../chat/post-to-chat.ts';
import type { ClusterEntry, Route } from '../config/index.ts';
import type { Binding } from '../config/policy-schema.ts';
import type { Logger } from '../observability/logger.ts';
import { bindingFor } from '../policy/bindings.ts';
import type { AlertRunJob, WorkflowRunJob } from '../queue/jobs.ts';
import type { Queues } from '../queue/queues.ts';
import type { Clusters } from '../tools/kubernetes/cluster.ts';
import { namespaceRefusal, placeOf } from '../workflows/start-run.ts';
import { alertRuns } from '../workflows/triggers.ts';
import type { YamlWorkflow } from '../workflows/yaml-schema.ts';

type InvestigateDeps = {
  queues: Queues;
  clusters: Pick<Clusters, 'get'>;
  routes: readonly Route[];
  clusterEntries: readonly ClusterEntry[];
  bindings: readonly Binding[];
  workflows: { workflows(): ReadonlyMap<string, YamlWorkflow> };
  investigations: Investigations;
  incidents: Incidents;
  investigationWindowSeconds: number;
  log: Logger;
};

/**
 * What a firing notification starts, in its group's thread: the runs of the workflows its alerts
 * match, or when none matches, the default investigation of the group. Each is about a subject
 * (a workload, a node): the first alert about it claims it for the window, and alerts about the
 * same subject while the claim holds join that investigation, said in both threads, instead of
 * starting another. Everything is queued under an id from what it is about, so a repeated
 * notification starts nothing twice.
 */
export async function startInvestigations(
  run: AlertRunJob,
  deps: InvestigateDeps,
  incidentId?: string,
): Promise<string[]> {
  const parsed = AlertmanagerPayload.safeParse(run.payload);
  if (!parsed.success) return [];
  const payload = parsed.data;
  const threadKey = `alert.${groupId(payload.groupKey)}`;
  const channels = routeAlert(payload.commonLabels, deps.routes, deps.clusterEntries);
  const channel = channels.find((c) => bindingFor(c, deps.bindings) !== undefined);
  const { runs, beyond } = alertRuns(
    payload.alerts,
    deps.workflows.workflows().values(),
    run.receivedAt,
    threadKey,
  );
  if (beyond > 0)
    deps.log.warn(
      { groupKey: payload.groupKey, started: runs.length, notStarted: beyond },
      'alert workflows not started: too many alerts in one notification',
    );
  const started: string[] = [];
  for (const { jobId, data } of runs) {
    // An alert its channel's binding does not cover is left alone: no run, no claim on its subject.
    const cluster = clusterOfRun(data, deps);
    if (cluster === false) continue;
    if (!(await deps.investigations.firstTime(data.runId ?? jobId))) continue;
    const labels = { ...payload.commonLabels, ...labelsOf(data.alert) };
    const joined = await claim(
      aboutIn(cluster, subjectOf(labels)),
      data.runId ?? jobId,
      labels,
      threadKey,
      channel,
      deps,
    );
    if (joined !== undefined) {
      await sayJoined(joined, labels, threadKey, channel, deps);
      continue;
    }
    await queued(data.runId ?? jobId, deps, () =>
      deps.queues.runs.add('workflow', data, { jobId }),
    );
    started.push(data.runId ?? jobId);
  }
  if (runs.length > 0) return started;
  const ask = investigation(
    payload,
    payload.alerts,
    { channels, bindings: deps.bindings, threadKey },
    run.receivedAt,
    incidentId,
  );
  if (ask === undefined || !(await deps.investigations.firstTime(ask.data.runId))) return [];
  const joined = await claim(
    aboutIn(ask.data.cluster, subjectOf(payload.commonLabels)),
    ask.data.runId,
    payload.commonLabels,
    threadKey,
    channel,
    deps,
  );
  if (joined !== undefined) {
    await sayJoined(joined, payload.commonLabels, threadKey, channel, deps);
    return [];
  }
  await queued(ask.data.runId, deps, () =>
    deps.queues.runs.add('ask', ask.data, { jobId: ask.jobId }),
  );
  return [ask.data.runId];
}

/**
 * The cluster an alert's workflow run would run on, or false when the run would be refused for
 * being outside what its channel's binding covers; undefined when it cannot be told here (no
 * cluster configured: the run says why when it is refused).
 */
function clusterOfRun(data: WorkflowRunJob, deps: InvestigateDeps): string | false | undefined {
  let defaultCluster: string;
  try {
    defaultCluster = deps.clusters.get().name;
  } catch {
    return undefined;
  }
  const place = placeOf(data, { bindings: deps.bindings, routes: deps.routes, defaultCluster });
  if (typeof place === 'string' || namespaceRefusal(place, {}, data) !== undefined) return false;
  return place.cluster;
}

/** A subject within the cluster its investigation runs on, whatever the labels say of it. */
function aboutIn(cluster: string | undefined, subject: string | undefined): string | undefined {
  return subject === undefined ? undefined : `${cluster ?? ''}|${subject}`;
}

/** Queues a run marked as started; if queueing fails, the mark goes, so a retry starts it. */
async function queued(runId: string, deps: InvestigateDeps, add: () => Promise<unknown>) {
  try {
    await add();
  } catch (error) {
    await deps.investigations.forget(runId).catch(() => undefined);
    throw error;
  }
}

function labelsOf(alert: unknown): Record<string, string> {
  const labels = (alert as { labels?: unknown } | undefined)?.labels;
  if (typeof labels !== 'object' || labels === null) return {};
  return Object.fromEntries(
    Object.entries(labels).filter(
      (entry): entry is [string, string] => typeof entry[1] === 'string',
    ),
  );
}

/** The holder of the subject's investigation this one joins; undefined when this one holds it. */
async function claim(
  subject: string | undefined,
  runId: string,
  labels: Readonly<Record<string, string>>,
  threadKey: string,
  channel: string | undefined,
  deps: InvestigateDeps,
): Promise<Holder | undefined> {
  if (subject === undefined || channel === undefined || deps.investigationWindowSeconds === 0)
    return undefined;
  // Claims are per channel: an investigation is only joined where its thread can be read.
  return deps.investigations.claim(
    `${channel}|${subject}`,
    { runId, channel, threadKey, alertname: labels.alertname ?? 'an alert' },
    deps.investigationWindowSeconds,
  );
}

/** Both threads say so: the joining group's, and the investigation's own. */
async function sayJoined(
  holder: Holder,
  labels: Readonly<Record<string, string>>,
  threadKey: string,
  channel: string | undefined,
  deps: InvestigateDeps,
): Promise<void> {
  if (threadKey !== holder.threadKey) await deps.incidents.joined(threadKey, holder.threadKey);
  const about = subjectOf(labels) ?? 'the same subject';
  const alertname = labels.alertname ?? 'An alert';
  if (channel !== undefined && threadKey !== holder.threadKey)
    await postToChat(deps.queues.outbox, {
      kind: 'report',
      key: ['joined', holder.runId, threadKey],
      channel,
      threadOf: threadKey,
      message: {
        text: `Already under investigation (${about}): the diagnosis goes in the thread of ${holder.alertname}.`,
        tone: 'info',
      },
    });
  await postToChat(deps.queues.outbox, {
    kind: 'report',
    key: ['join', holder.runId, threadKey, alertname],
    channel: holder.channel,
    threadOf: holder.threadKey,
    message: {
      text: `${alertname} joined this investigation: it is about ${about} too.`,
      tone: 'info',
    },
  });
}
