import { type ChatMessageInput, LIMITS, type Tone } from '../chat/message.ts';
import { idOf, type Platform } from '../shared/channel.ts';
import type { FieldChange } from '../tools/kubernetes/actions/action.ts';
import { changeLines } from '../tools/kubernetes/actions/field-changes.ts';
import { isGitChange, isSilence, type ProposedAction } from '../tools/proposed-action.ts';
import type { ProposalRecord } from './proposal-store.ts';

/**
 * A proposal as a card: every field it changes (old → new, never cut), where, why, the risk, the
 * API server's dry-run diff, the tier, who asked and until when it may be decided, with Approve
 * and Reject while it is pending. Once decided the same card (edited in place) says who decided,
 * when and what came of it, and has no buttons.
 */
const RISK: Record<string, string> = {
  scale: 'Changes how many pods run; scaling down ends pods that may be serving.',
  'rollout-restart': 'Replaces every pod of the workload, a batch at a time.',
  'set-resources':
    'Changes the pod template: the pods are replaced by a rolling update, and the new values hold from then on.',
  'delete-pod':
    'Deletes the pod; its controller starts a new one (a pod without one is gone for good).',
  delete: 'Deletes the object and, in the background, what it owns; nothing brings it back.',
  rollback: 'Replaces the pods with those of the earlier revision.',
  patch: 'Changes the object exactly as the diff shows.',
  'argocd-sync':
    "Argo CD applies the application's manifests from Git now: whatever differs in the cluster is replaced, and with prune on, what Git no longer declares is deleted.",
  'argocd-rollback':
    'Argo CD deploys the earlier revision from its history; what changed in Git since is undone in the cluster until the next sync.',
  'git-change':
    'Opens a pull request: nothing changes in the cluster until it is merged and Argo CD syncs it.',
  'silence-create':
    'Alerts matching every matcher stop reaching on-call until the silence ends; a matcher too wide hides other trouble.',
  'silence-expire': 'The alerts it hid reach on-call again at once.',
};

export function cardKey(id: string): string {
  return `card.${id}`;
}

/** Where the change lands, as people read it. */
function whereOf(action: ProposedAction): string {
  const { target } = action;
  const namespace =
    target.namespace === '*'
      ? ', every namespace'
      : target.namespace
        ? `, namespace ${target.namespace}`
        : '';
  if (isGitChange(action))
    return `${action.repo} (${action.base}), ${action.path}; Argo CD deploys it to cluster ${target.cluster}${namespace}`;
  if (isSilence(action)) return `Alertmanager, alerts of cluster ${target.cluster}${namespace}`;
  return `cluster ${target.cluster}${namespace}`;
}

function diffTitle(action: ProposedAction): string {
  if (isGitChange(action)) return `Manifest diff (pull request to ${action.base})`;
  if (isSilence(action)) return 'Silence';
  return 'Dry-run diff (API server)';
}

export function renderCard(record: ProposalRecord, tier: string): ChatMessageInput {
  const action = record.action;
  const where = whereOf(action);
  const origin = record.origin;
  const fields = [
    { label: 'Where', value: where },
    { label: 'Tier', value: tier },
    { label: 'Asked by', value: idOf(origin?.requester ?? record.agent) },
  ];
  if (record.state === 'pending' && origin !== undefined)
    fields.push({
      label: 'Expires',
      value: `${origin.expiresAt.replace('T', ' ').slice(0, 16)} UTC`,
    });
  const sections = [
    ...(isSilence(action) ? [] : [changesSection(action.changes)]),
    ...(record.rationale === undefined ? [] : [{ title: 'Why', text: record.rationale }]),
    ...('note' in action && action.note !== undefined
      ? [{ title: 'GitOps', text: action.note }]
      : []),
    { title: 'Risk', text: RISK[action.type] ?? RISK.patch },
    { title: diffTitle(action), code: action.diff },
  ];
  const outcome = outcomeOf(record);
  const link = record.result?.link;
  return {
    headline: `${outcome.prefix}${action.summary}`,
    ...(outcome.text === undefined ? {} : { text: outcome.text }),
    tone: outcome.tone,
    fields,
    sections,
    ...(link === undefined ? {} : { links: [link] }),
    buttons:
      record.state === 'pending'
        ? [
            { action: 'approve', label: 'Approve', value: record.id, style: 'primary' },
            { action: 'reject', label: 'Reject', value: record.id, style: 'danger' },
          ]
        : [],
    footer: `proposal ${record.id} · ${record.agent}`,
  };
}

function changesSection(changes: readonly FieldChange[]) {
  const count = changes.length === 1 ? '1 field' : `${changes.length} fields`;
  return { title: `Changes (${count})`, code: changeLines(changes), whole: true };
}

/**
 * Room for the list of changes on a chat card: what Slack's section and Discord's embed hold
 * with everything else on the card, counting the characters that escaping lengthens (`&` becomes
 * `&amp;`). A list that needs more is never cut: the card goes without it, and without Approve.
 */
const CHAT_CHANGES_ROOM = 1_400;

/** The console shows a section whole up to the neutral message's limit. */
const WEB_CHANGES_ROOM = LIMITS.text;

export function changesFitChat(
  changes: readonly FieldChange[],
  room: number = CHAT_CHANGES_ROOM,
): boolean {
  const text = changeLines(changes);
  const escaped =
    text.length + 4 * countOf(text, '&') + 3 * (countOf(text, '<') + countOf(text, '>'));
  return escaped <= room;
}

function countOf(text: string, char: string): number {
  return text.split(char).length - 1;
}

/**
 * The card as chat shows it. A change too long to list whole there is decided on the dashboard
 * only: the card says so and links there, and offers no Approve (the click would be refused).
 */
export function chatCard(
  record: ProposalRecord,
  tier: string,
  dashboardUrl: string | undefined,
  platform: Platform = 'slack',
): ChatMessageInput {
  const card = renderCard(record, tier);
  const room = platform === 'web' ? WEB_CHANGES_ROOM : CHAT_CHANGES_ROOM;
  if (changesFitChat(record.action.changes, room)) return card;
  const count = record.action.changes.length;
  const where =
    dashboardUrl === undefined
      ? `Open the dashboard (/dashboard on Coxswain's web address), Pending, proposal ${record.id}.`
      : 'Open it on the dashboard.';
  const note =
    record.state === 'pending'
      ? `This change touches ${count} fields, more than a chat card can list whole, so it is reviewed and decided on the dashboard only. ${where}`
      : `This change touched ${count} fields; the dashboard lists them all.`;
  return {
    ...card,
    text: card.text === undefined ? note : `${card.text}\n${note}`,
    sections: (card.sections ?? []).filter((s) => !s.title?.startsWith('Changes (')),
    links:
      dashboardUrl === undefined
        ? (card.links ?? [])
        : [
            ...(card.links ?? []),
            {
              label: 'Review on the dashboard',
              url: `${dashboardUrl}/dashboard#proposal-${record.id}`,
            },
          ],
    buttons: [],
  };
}

function outcomeOf(record: ProposalRecord): { prefix: string; text?: string; tone: Tone } {
  const by = record.decidedBy === undefined ? '' : ` by ${idOf(record.decidedBy)}`;
  const at = record.decidedAt === undefined ? '' : ` at ${record.decidedAt.slice(11, 19)} UTC`;
  const result = record.result;
  switch (record.state) {
    case 'pending':
      return { prefix: 'Approve? ', tone: 'warning' };
    case 'approved':
      return { prefix: 'Approved: ', text: `Approved${by}${at}; applying.`, tone: 'info' };
    case 'executing':
      return { prefix: 'Applying: ', text: `Approved${by}${at}; applying now.`, tone: 'info' };
    case 'succeeded':
      // Written, but not seen to work: said so at a glance, not in the colour of a fix.
      if (result?.unverified === true)
        return {
          prefix: 'Applied, not verified: ',
          text: [`Approved${by}${at}.`, result.summary, result.verified].filter(Boolean).join(' '),
          tone: 'warning',
        };
      return {
        prefix: 'Done: ',
        text: [`Approved${by}${at}.`, result?.summary, result?.verified].filter(Boolean).join(' '),
        tone: 'resolved',
      };
    case 'failed':
      return {
        prefix: 'Failed: ',
        text: `Approved${by}${at}, but it failed: ${result?.error ?? 'unknown error'}`,
        tone: 'critical',
      };
    case 'rejected':
      return {
        prefix: 'Rejected: ',
        text: `Rejected${by}${at}. Nothing was changed.`,
        tone: 'neutral',
      };
    case 'expired':
      return {
        prefix: 'Expired: ',
        text: 'Nobody decided in time. Nothing was changed.',
        tone: 'neutral',
      };
    case 'superseded': {
      // Why: the same change made by another card, or the target changed since it was proposed.
      const why =
        record.result?.error ??
        `the target changed since this was proposed${record.supersededBy ? `; see proposal ${record.supersededBy}` : ''}`;
      return {
        prefix: 'Superseded: ',
        text: `${why.charAt(0).toUpperCase()}${why.slice(1)}. This card changed nothing.`,
        tone: 'neutral',
      };
    }
  }
}
