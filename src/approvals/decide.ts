import type { Queue } from 'bullmq';
import type { ButtonClick, InputOutcome } from '../chat/inbound.ts';
import type { Outbox } from '../chat/post-to-chat.ts';
import type { Autonomy, Binding, Identity } from '../config/policy-schema.ts';
import type { Logger } from '../observability/logger.ts';
import { authorise, type Person } from '../policy/authorise.ts';
import { type SuspendSwitch, suspendedLine } from '../policy/suspend.ts';
import type { ActionJob } from '../queue/jobs.ts';
import { channelPlatform, idOf } from '../shared/channel.ts';
import { auditEntry } from './audit-entry.ts';
import { postCard } from './post-card.ts';
import type { Origin, ProposalRecord, ProposalStore } from './proposal-store.ts';
import { changesFitChat } from './render-card.ts';
import { requeueApproved } from './requeue.ts';
import { type RunsQueue, resumeAfterDecision } from './resume.ts';

/**
 * Approve or Reject, clicked on a card. Only a verified platform click reaches here (a signed
 * Slack request, a Discord interaction, an authenticated dashboard session); a message saying
 * "approve" never does. The clicker must be an approver of the card's channel, and not the person
 * who asked unless the binding allows it; a card that expired, was decided or was superseded
 * says so to the clicker alone. An approval is one atomic transition and one actions job whose
 * id is the proposal's, however many clicks there were.
 */
export type DecideDeps = {
  proposals: ProposalStore;
  actions: Queue<ActionJob>;
  outbox: Outbox;
  bindings: readonly Binding[];
  /** A person's accounts across platforms: the approver and self-approval rules count them all. */
  people: readonly Identity[];
  autonomy: Autonomy;
  /** Where people reach the dashboard (PUBLIC_URL), for links on cards; unset: no link. */
  dashboardUrl: string | undefined;
  log: Logger;
  /** While it is on, approvals are refused with its reason. */
  suspension: SuspendSwitch;
  /** Where a question that led to the proposal goes on, once it is rejected or expired. */
  runs?: RunsQueue;
  now?: () => Date;
};

export type Verdict = 'approve' | 'reject';

const refuse = (headline: string, text?: string): InputOutcome => ({
  kind: 'reply',
  message: { headline, tone: 'warning', ...(text === undefined ? {} : { text }) },
});

export async function decide(
  click: ButtonClick,
  verdict: Verdict,
  deps: DecideDeps,
): Promise<InputOutcome> {
  const now = (deps.now ?? (() => new Date()))();
  const card = await pendingCard(click, deps, now);
  if (card.kind !== 'card') return card;
  const held = await heldBack(card, click, verdict, deps, now);
  if (held !== undefined) return held;
  const person = clicker(click);
  const allowed = authorise.decide(
    { verdict, person, channel: click.channel, requester: card.origin.requester },
    deps,
  );
  if (!allowed.allowed) {
    deps.log.warn({ proposalId: card.record.id, person: person.id, verdict }, 'decision refused');
    return refuse(`You cannot ${verdict} this proposal`, allowed.reason);
  }
  return settle(card.record, person, verdict, deps, now);
}

type PendingCard = { kind: 'card'; record: ProposalRecord; origin: Origin };

/**
 * The clicked card, if it is this channel's and still pending. A card decided already says so;
 * an approval whose job could not be queued (Redis went away in between) is queued now, if it
 * has not expired since.
 */
async function pendingCard(
  click: ButtonClick,
  deps: DecideDeps,
  now: Date,
): Promise<PendingCard | InputOutcome> {
  const record = await deps.proposals.record(click.value);
  const origin = record?.origin;
  // A card belongs to the channel it was posted in; a click elsewhere decides nothing.
  if (record === undefined || origin === undefined || origin.channel !== click.channel)
    return refuse('That proposal is not one of this channel’s');
  if (record.state === 'pending') return { kind: 'card', record, origin };
  if (record.state === 'approved' && (await requeueApproved(record, deps, now)) === 'expired')
    return refuse(
      'This approval was never carried out and has expired',
      'Nothing was changed. Ask again for a fresh one.',
    );
  return refuse(...decided(record));
}

/**
 * What holds a pending card back whoever clicks: writes suspended (for an approval), the card
 * expired (it is marked so), or a change too long to list whole on a chat card, which is
 * approved where it is shown whole.
 */
async function heldBack(
  { record, origin }: PendingCard,
  click: ButtonClick,
  verdict: Verdict,
  deps: DecideDeps,
  now: Date,
): Promise<InputOutcome | undefined> {
  const suspended = verdict === 'approve' ? await deps.suspension.state() : undefined;
  if (suspended !== undefined)
    return refuse('Writes are suspended; nothing can be approved now', suspendedLine(suspended));
  if (Date.parse(origin.expiresAt) <= now.getTime()) {
    const expired = await deps.proposals.transition(
      record.id,
      ['pending'],
      'expired',
      'expiry',
      { audit: auditEntry(record, 'expired', now, 'nobody decided in time') },
      now,
    );
    if (expired.ok) {
      await postCard(deps.outbox, expired.record, deps, now);
      if (deps.runs !== undefined)
        await resumeAfterDecision(expired.record, deps.runs, deps.bindings, now);
    }
    return refuse('This proposal has expired', 'Nothing was changed. Ask again for a fresh one.');
  }
  if (verdict === 'approve' && fromChat(click) && !changesFitChat(record.action.changes))
    return refuse(
      'Approve this on the dashboard',
      `It changes ${record.action.changes.length} fields, more than this card can list; the dashboard shows them all.`,
    );
  return undefined;
}

/** The clicker as the platform verified them, with the groups or roles it says they are in. */
export function clicker(click: ButtonClick): Person {
  return { id: click.requester, memberOf: click.memberOf ?? [] };
}

/**
 * The decision, made once: one atomic transition from pending, then the actions job (whose id
 * is the proposal's), the card updated, and for a rejection the question that led to it resumed.
 */
async function settle(
  record: ProposalRecord,
  person: Person,
  verdict: Verdict,
  deps: DecideDeps,
  now: Date,
): Promise<InputOutcome> {
  const outcome = await deps.proposals.transition(
    record.id,
    ['pending'],
    verdict === 'approve' ? 'approved' : 'rejected',
    person.id,
    {
      decidedBy: person.id,
      decidedAt: now.toISOString(),
      decidedVia: person.memberOf ?? [],
      audit: auditEntry(
        { ...record, decidedBy: person.id },
        verdict === 'approve' ? 'approved' : 'rejected',
        now,
        verdict === 'approve' ? 'queued for execution' : 'nothing changed',
      ),
    },
    now,
  );
  if (!outcome.ok) {
    const latest = await deps.proposals.record(record.id);
    return refuse(
      ...(latest === undefined ? (['That proposal is gone'] as [string]) : decided(latest)),
    );
  }
  deps.log.info({ proposalId: record.id, person: person.id, verdict }, 'proposal decided');
  if (verdict === 'approve')
    await deps.actions.add('execute', { proposalId: record.id }, { jobId: record.id });
  await postCard(deps.outbox, outcome.record, deps, now);
  if (verdict === 'reject' && deps.runs !== undefined)
    await resumeAfterDecision(outcome.record, deps.runs, deps.bindings, now);
  return {
    kind: 'queued',
    runId: record.id,
    what: verdict === 'approve' ? 'the change' : 'the rejection',
  };
}

/**
 * A click on a Slack or Discord card, not a dashboard session deciding a chat channel's card. (A
 * console card too long to list whole has no buttons either; a signed-in approver may decide it
 * there as on the dashboard.)
 */
export function fromChat(click: ButtonClick): boolean {
  return channelPlatform(click.channel) !== 'web' && !click.requester.startsWith('web:');
}

export function decided(record: ProposalRecord): [string, string?] {
  const by = record.decidedBy === undefined ? '' : ` by ${idOf(record.decidedBy)}`;
  switch (record.state) {
    case 'expired':
      return ['This proposal has expired', 'Nothing was changed. Ask again for a fresh one.'];
    case 'superseded':
      return [
        'This proposal was superseded',
        'The target changed since; a fresh proposal was offered.',
      ];
    case 'rejected':
      return [`This proposal was already rejected${by}`];
    default:
      return [`This proposal was already approved${by}`, `It is ${record.state}.`];
  }
}
