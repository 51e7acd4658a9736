import {
  buildReport,
  figuresOf,
  type IncidentAction,
  reportMessage,
  reportStub,
} from '../alerts/incident-report.ts';
import type { Incident, Incidents } from '../alerts/incidents.ts';
import type { ProposalRecord, ProposalStore } from '../approvals/proposal-store.ts';
import { type Outbox, postToChat } from '../chat/post-to-chat.ts';
import type { Binding } from '../config/policy-schema.ts';
import type { FeedbackStore } from '../feedback/feedback-store.ts';
import { offerFeedback } from '../feedback/offer-feedback.ts';
import type { Logger } from '../observability/logger.ts';
import { coversAlert } from '../policy/bindings.ts';
import { redactText } from '../policy/redact.ts';
import type { ChannelRef } from '../shared/channel.ts';
import { splitHeadline } from './render-answer.ts';

type ReportDeps = {
  incidents: Incidents;
  /** Which channels may see what the investigation read and did. */
  bindings: readonly Binding[];
  /** Where the report's snapshot is kept for the 👍 / 👎 under it. */
  feedback: FeedbackStore;
  proposals: Pick<ProposalStore, 'ofThread' | 'record'>;
  outbox: Outbox;
  log: Logger;
};

/**
 * A resolved incident's report: built from its record and the proposals shown in its thread (and
 * in the thread of the investigation it joined), kept for the dashboard, added once to the
 * figures, and posted in the group's thread in every channel that shows the group. The message
 * has a replace key, so a retried or repeated resolution shows one report, brought up to date.
 */
export async function reportIncident(incident: Incident, deps: ReportDeps): Promise<void> {
  const investigation =
    incident.joined === undefined ? undefined : await deps.incidents.ofThread(incident.joined);
  const actions = [
    ...(await ownActions(incident, deps)),
    ...(incident.joined === undefined ? [] : await joinedActions(incident.joined, incident, deps)),
  ];
  const report = {
    ...buildReport(incident, actions, investigation),
    channels: incident.channels.filter((channel) =>
      coversAlert(channel as ChannelRef, incident, deps.bindings),
    ),
  };
  await deps.incidents.keepReport(incident.id, report);
  if (await deps.incidents.count(incident, figuresOf(report)))
    deps.log.info(
      {
        incident: incident.id,
        alertname: incident.alertname,
        resolveSeconds: report.timeToResolveSeconds,
        automated: report.automated,
      },
      'incident resolved',
    );
  for (const channel of incident.channels) {
    const message = report.channels.includes(channel)
      ? await offerFeedback(deps.feedback, reportMessage(report), {
          kind: 'report',
          // Each channel's report is its own message, rated where it is read.
          id: `${incident.id}@${channel}`,
          channel,
          specialists: report.diagnosedBy === undefined ? [] : [report.diagnosedBy],
          at: new Date(),
        })
      : reportStub(report);
    await postToChat(deps.outbox, {
      kind: 'report',
      key: ['incident', incident.id, channel, String(report.actions.length), report.cause ?? ''],
      channel,
      threadOf: incident.threadKey,
      message,
      replace: { key: `incident.${incident.id}`, version: Date.now() },
    });
  }
}

/** The proposals shown in the group's thread since its previous incident's report. */
async function ownActions(incident: Incident, deps: ReportDeps): Promise<IncidentAction[]> {
  const ids = await deps.proposals.ofThread(incident.threadKey);
  const [from, to] = await deps.incidents.proposalRange(incident, ids.length);
  return actionsOf(ids.slice(from, to), deps);
}

/**
 * The proposals of the investigation this incident joined, made while this one was open (by the
 * worker's clock against the alerts' own, so a minute's skew is allowed either side).
 */
async function joinedActions(
  threadKey: string,
  incident: Incident,
  deps: ReportDeps,
): Promise<IncidentAction[]> {
  const from = Date.parse(incident.firedAt) - SKEW_MS;
  const until = Date.parse(incident.resolvedAt ?? new Date().toISOString()) + SKEW_MS;
  const actions = await actionsOf(await deps.proposals.ofThread(threadKey), deps);
  return actions.filter((action) => {
    const made = Date.parse(action.proposedAt);
    return made >= from && made <= until;
  });
}

const SKEW_MS = 60_000;

async function actionsOf(ids: readonly string[], deps: ReportDeps): Promise<IncidentAction[]> {
  const records = await Promise.all(ids.map((id) => deps.proposals.record(id)));
  return records.filter((record): record is ProposalRecord => record !== undefined).map(actionOf);
}

function actionOf(record: ProposalRecord): IncidentAction {
  return {
    proposalId: record.id,
    summary: redactText(record.action.summary).slice(0, 300),
    proposedAt: record.createdAt,
    state: record.state,
    decidedBy: record.decidedBy,
    decidedAt: record.decidedAt,
    appliedAt: record.applied?.at,
  };
}

/** What an answer in an alert group's thread says, as the incident's diagnosis. */
export async function recordDiagnosis(
  incidents: Incidents,
  threadKey: string | undefined,
  answer: { text: string; by: string; runId: string; at: Date },
): Promise<void> {
  if (threadKey === undefined || !threadKey.startsWith('alert.')) return;
  const { headline, body } = splitHeadline(redactText(answer.text));
  // An answer leads with the symptom, then its `Cause:` line: the incident records the cause.
  const cause = /^Cause:\s*(.+)$/m.exec(body)?.[1] ?? headline;
  await incidents.diagnosed(threadKey, {
    at: answer.at.toISOString(),
    cause: cause.slice(0, 300),
    evidence: body.slice(0, 2_000),
    by: answer.by.slice(0, 200),
    runId: answer.runId.slice(0, 200),
  });
}
