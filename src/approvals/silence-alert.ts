import { createHash } from 'node:crypto';
import type { AlertGroups } from '../alerts/alert-groups.ts';
import { groupSilence } from '../alerts/alert-silence.ts';
import type { ButtonClick, InputOutcome } from '../chat/inbound.ts';
import type { Outbox } from '../chat/post-to-chat.ts';
import type { Autonomy, Binding } from '../config/policy-schema.ts';
import { matcherText, type SilenceAction } from '../tools/metrics/silence.ts';
import { isSilence } from '../tools/proposed-action.ts';
import { offerProposal } from './offer.ts';
import { type ProposalStore, proposalId } from './proposal-store.ts';

/**
 * The alert message's "Silence 2h" button: a silence of the group's labels, proposed as a card
 * in the alert's thread that the channel's approvers decide like any other. The click itself
 * silences nothing; it is refused where the channel could not be offered that silence (its
 * binding does not reach the alert's cluster and namespace, or stops at the safe tier).
 */
export type SilenceAlertDeps = {
  proposals: ProposalStore;
  groups: Pick<AlertGroups, 'silenceLabels'>;
  outbox: Outbox;
  bindings: readonly Binding[];
  autonomy: Autonomy;
  dashboardUrl: string | undefined;
  /**
   * Whether an Alertmanager is configured (ALERTMANAGER_URL). Messages posted without one carry no
   * button, but older ones may: their clicks are answered, never turned into a card that fails.
   */
  alertmanager: boolean;
  now?: () => Date;
};

const reply = (headline: string, text: string, tone: 'warning' | 'info' = 'warning') =>
  ({ kind: 'reply', message: { headline, text, tone } }) as const;

export async function offerAlertSilence(
  click: ButtonClick,
  deps: SilenceAlertDeps,
): Promise<InputOutcome> {
  const group = click.value;
  if (!/^[0-9a-f]{24}$/.test(group))
    return reply('That button is no longer understood', 'It names no alert group.');
  if (!deps.alertmanager)
    return reply(
      'Silences cannot be made from here',
      'No Alertmanager is configured (ALERTMANAGER_URL is unset), so an approved silence could not be made: silence this alert in Alertmanager itself.',
    );
  const labels = await deps.groups.silenceLabels(group);
  if (labels === undefined || Object.keys(labels).length === 0)
    return reply(
      'This alert group is no longer kept',
      'Silence it from Alertmanager, or ask for a silence here.',
    );
  const silence = groupSilence(labels, click.channel, deps, click.requester);
  if (!silence.ok) return reply(silence.headline, silence.reason);
  const { action } = silence;
  const waiting = await pendingSilence(deps.proposals, action);
  if (waiting !== undefined)
    return reply(
      'A silence of this alert is already waiting',
      `Proposal ${waiting} asks for it; an approver decides on its card in the alert's thread.`,
      'info',
    );
  const runId = `alert.${group}`;
  // Named by what it silences, so clicks at once make one card; once that one is decided, a
  // new click makes a new one.
  const what = createHash('sha256')
    .update(action.matchers.map(matcherText).sort().join('\n'))
    .digest('hex')
    .slice(0, 16);
  const base = proposalId(runId, `silence.${what}`);
  const id =
    (await deps.proposals.record(base)) === undefined
      ? base
      : proposalId(runId, `silence.${what}.${click.clickId}`);
  await offerProposal(
    {
      id,
      runId,
      agent: 'alert-silence',
      action,
      state: 'pending',
      createdAt: (deps.now ?? (() => new Date()))().toISOString(),
      rationale: `Asked from the alert message by ${click.requester}.`,
    },
    {
      channel: click.channel,
      threadKey: runId,
      ...(click.thread === undefined ? {} : { thread: click.thread }),
      requester: click.requester,
      cluster: action.target.cluster,
    },
    deps,
  );
  return reply(
    `Proposed: ${action.summary}`,
    `Nothing is silenced until an approver of this channel approves the card in the alert's thread (proposal ${id}).`,
    'info',
  );
}

/** A pending proposal for the very same silence, so a second click does not make a second card. */
async function pendingSilence(
  proposals: ProposalStore,
  action: SilenceAction,
): Promise<string | undefined> {
  const wanted = action.matchers.map(matcherText).sort().join(',');
  for (const id of await proposals.pending()) {
    const record = await proposals.record(id);
    if (record?.state !== 'pending' || !isSilence(record.action)) continue;
    if (record.action.type !== 'silence-create') continue;
    if (record.action.matchers.map(matcherText).sort().join(',') === wanted) return id;
  }
  return undefined;
}
