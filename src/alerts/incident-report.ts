import { type ChatMessageInput, clip, type Field } from '../chat/message.ts';
import { formatDuration, formatInstant } from './format-duration.ts';
import type { Incident, IncidentFigures } from './incidents.ts';

/**
 * An incident's report, posted in its group's thread when the group resolves and kept for the
 * dashboard: what happened when (fired, diagnosed, proposed, decided by whom, applied, resolved),
 * the cause and its evidence, the actions taken, and the times to diagnose, mitigate and resolve.
 * Built from the incident's record and the proposals shown in its thread; nothing else is read.
 */

/** A proposal shown in the incident's thread, as far as it went. */
export type IncidentAction = {
  proposalId: string;
  summary: string;
  proposedAt: string;
  /** Where the proposal stands: pending, approved, executing, succeeded, failed, rejected… */
  state: string;
  decidedBy?: string | undefined;
  decidedAt?: string | undefined;
  /** When the change reached the cluster. */
  appliedAt?: string | undefined;
};

export type TimelineEntry = { at: string; what: string };

export type IncidentReport = {
  id: string;
  threadKey: string;
  alertname: string;
  namespace?: string | undefined;
  cluster?: string | undefined;
  severity?: string | undefined;
  firedAt: string;
  resolvedAt: string;
  cause?: string | undefined;
  evidence?: string | undefined;
  diagnosedBy?: string | undefined;
  /** The thread where the diagnosis is, when this incident joined another's investigation. */
  joined?: string | undefined;
  actions: IncidentAction[];
  timeline: TimelineEntry[];
  timeToDiagnoseSeconds?: number | undefined;
  timeToMitigateSeconds?: number | undefined;
  timeToResolveSeconds: number;
  /** Fixed through an approved Coxswain action that reached the cluster. */
  automated: boolean;
  /**
   * The channels whose binding covers the incident's cluster and namespace: only they are shown
   * the cause, evidence and actions (in chat and on the dashboard); the others, its times.
   */
  channels?: string[] | undefined;
};

const MAX_ACTIONS = 20;

/**
 * The report of a resolved incident. `investigation` is the incident whose thread holds the
 * diagnosis when this one's alerts joined it; its diagnosis counts for both.
 */
export function buildReport(
  incident: Incident,
  actions: readonly IncidentAction[],
  investigation?: Incident,
): IncidentReport {
  const fired = Date.parse(incident.firedAt);
  const resolvedAt = incident.resolvedAt ?? new Date().toISOString();
  const diagnosis = incident.diagnosis ?? investigation?.diagnosis;
  const kept = actions.slice(0, MAX_ACTIONS);
  const applied = kept
    .filter((action) => action.appliedAt !== undefined && action.state === 'succeeded')
    .map((action) => Date.parse(action.appliedAt ?? ''))
    .filter(Number.isFinite);
  const mitigated = applied.length === 0 ? undefined : Math.min(...applied);
  const since = (at: number) => Math.max(0, Math.round((at - fired) / 1_000));
  return {
    id: incident.id,
    threadKey: incident.threadKey,
    alertname: incident.alertname,
    namespace: incident.namespace,
    cluster: incident.cluster,
    severity: incident.severity,
    firedAt: incident.firedAt,
    resolvedAt,
    cause: diagnosis?.cause,
    evidence: diagnosis?.evidence,
    diagnosedBy: diagnosis?.by,
    joined: incident.joined,
    actions: kept,
    timeline: timelineOf(incident, resolvedAt, kept, diagnosis?.at),
    timeToDiagnoseSeconds: diagnosis === undefined ? undefined : since(Date.parse(diagnosis.at)),
    timeToMitigateSeconds: mitigated === undefined ? undefined : since(mitigated),
    timeToResolveSeconds: since(Date.parse(resolvedAt)),
    automated: mitigated !== undefined,
  };
}

function timelineOf(
  incident: Incident,
  resolvedAt: string,
  actions: readonly IncidentAction[],
  diagnosedAt: string | undefined,
): TimelineEntry[] {
  const entries: TimelineEntry[] = [{ at: incident.firedAt, what: 'fired' }];
  if (diagnosedAt !== undefined)
    entries.push({
      at: diagnosedAt,
      what: incident.diagnosis === undefined ? 'diagnosed (in the joined thread)' : 'diagnosed',
    });
  for (const action of actions) {
    entries.push({ at: action.proposedAt, what: `proposed: ${action.summary}` });
    if (action.decidedAt !== undefined)
      entries.push({ at: action.decidedAt, what: decisionLine(action) });
    if (action.appliedAt !== undefined)
      entries.push({ at: action.appliedAt, what: `applied: ${action.summary}` });
  }
  entries.push({ at: resolvedAt, what: 'resolved' });
  return entries
    .map((entry, order) => ({ entry, order }))
    .sort((a, b) => Date.parse(a.entry.at) - Date.parse(b.entry.at) || a.order - b.order)
    .map(({ entry }) => entry);
}

function decisionLine(action: IncidentAction): string {
  const verdict =
    action.state === 'rejected'
      ? 'rejected'
      : action.state === 'expired'
        ? 'expired'
        : action.state === 'superseded'
          ? 'superseded'
          : 'approved';
  return action.decidedBy === undefined ? verdict : `${verdict} by ${action.decidedBy}`;
}

/** What the incident adds to its alert name's and namespace's figures. */
export function figuresOf(report: IncidentReport): IncidentFigures {
  return {
    resolveSeconds: report.timeToResolveSeconds,
    diagnoseSeconds: report.timeToDiagnoseSeconds,
    mitigateSeconds: report.timeToMitigateSeconds,
    automated: report.automated,
  };
}

/** The report as a message in the group's thread. */
export function reportMessage(report: IncidentReport): ChatMessageInput {
  const fields: Field[] = [
    { label: 'Time to resolve', value: formatDuration(report.timeToResolveSeconds * 1_000) },
    {
      label: 'Time to diagnose',
      value: secondsOr(report.timeToDiagnoseSeconds, 'not diagnosed'),
    },
    {
      label: 'Time to mitigate',
      value: secondsOr(report.timeToMitigateSeconds, 'no change through Coxswain'),
    },
  ];
  if (report.namespace !== undefined) fields.push({ label: 'Namespace', value: report.namespace });
  const sections = [
    {
      title: 'Timeline',
      text: report.timeline.map((e) => `${formatInstant(Date.parse(e.at))}  ${e.what}`).join('\n'),
    },
    ...(report.evidence === undefined || report.evidence === ''
      ? []
      : [{ title: 'Evidence', text: clip(report.evidence, 1_500) }]),
    { title: 'Actions', text: actionsText(report.actions) },
  ];
  return {
    headline: `Incident resolved: ${report.alertname}`,
    text: causeText(report),
    tone: 'resolved',
    fields,
    sections,
    footer: `incident ${report.id}${report.diagnosedBy === undefined ? '' : ` · diagnosed by ${report.diagnosedBy}`}`,
  };
}

/**
 * The report for a channel whose binding does not cover the incident: that it resolved and how
 * long it took, nothing of what was read or done.
 */
export function reportStub(report: IncidentReport): ChatMessageInput {
  return {
    headline: `Incident resolved: ${report.alertname}`,
    text: 'The cause and what was done are shown where a binding covers this alert.',
    tone: 'resolved',
    fields: [
      { label: 'Time to resolve', value: formatDuration(report.timeToResolveSeconds * 1_000) },
    ],
    footer: `incident ${report.id}`,
  };
}

function causeText(report: IncidentReport): string {
  if (report.cause !== undefined) return `Cause: ${clip(report.cause, 300)}`;
  return 'Cause: not diagnosed before it resolved.';
}

function actionsText(actions: readonly IncidentAction[]): string {
  if (actions.length === 0) return 'None through Coxswain.';
  return actions
    .map((action) => `${action.summary}: ${action.state}${by(action.decidedBy)}`)
    .join('\n');
}

function by(who: string | undefined): string {
  return who === undefined ? '' : ` (decided by ${who})`;
}

function secondsOr(seconds: number | undefined, otherwise: string): string {
  return seconds === undefined ? otherwise : formatDuration(seconds * 1_000);
}
