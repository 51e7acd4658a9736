import type { ChatMessageInput, Tone } from '../queue/message.ts';
import type { ProposalRecord } from './proposal-store.ts';

/**
 * A proposal as a card: what would change and where, why, the risk, the API server's dry-run
 * diff, the tier, who asked and until when it may be decided, with Approve and Reject while it is
 * pending. Once decided the same card (edited in place) says who decided, when and what came of
 * it, and has no buttons.
 */
const RISK: Record<string, string> = {
  scale: 'Changes how many pods run; scaling down ends pods that may be serving.',
  'rollout-restart': 'Replaces every pod of the workload, a batch at a time.',
  'set-resources':
    'Changes the pod template: the pods are replaced by a rolling update, and the new values hold from then on.',
  'delete-pod':
    'Deletes the pod; its controller starts a new one (a pod without one is gone for good).',
  rollback: 'Replaces the pods with those of the earlier revision.',
  patch: 'Changes the object exactly as the diff shows.',
};

export function cardKey(id: string): string {
  return `card.${id}`;
}

export function renderCard(record: ProposalRecord, tier: string): ChatMessageInput {
  const target = record.action.target;
  const where = `cluster ${target.cluster}${target.namespace ? `, namespace ${target.namespace}` : ''}`;
  const origin = record.origin;
  const fields = [
    { label: 'Where', value: where },
    { label: 'Tier', value: tier },
    { label: 'Asked by', value: who(origin?.requester ?? record.agent) },
  ];
  if (record.state === 'pending' && origin !== undefined)
    fields.push({
      label: 'Expires',
      value: origin.expiresAt.replace('T', ' ').slice(0, 16) + ' UTC',
    });
  const sections = [
    ...(record.rationale === undefined ? [] : [{ title: 'Why', text: record.rationale }]),
    { title: 'Risk', text: RISK[record.action.type] ?? RISK.patch },
    { title: 'Dry-run diff (API server)', code: record.action.diff },
  ];
  const outcome = outcomeOf(record);
  return {
    headline: `${outcome.prefix}${record.action.summary}`,
    ...(outcome.text === undefined ? {} : { text: outcome.text }),
    tone: outcome.tone,
    fields,
    sections,
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

function outcomeOf(record: ProposalRecord): { prefix: string; text?: string; tone: Tone } {
  const by = record.decidedBy === undefined ? '' : ` by ${who(record.decidedBy)}`;
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
    case 'superseded':
      return {
        prefix: 'Superseded: ',
        text: `The target changed since this was proposed${record.supersededBy ? `; see proposal ${record.supersededBy}` : ''}. Nothing was changed.`,
        tone: 'neutral',
      };
  }
}

/** `slack:U0DANA` → `U0DANA`; the platform is the channel's. */
function who(actor: string): string {
  return actor.slice(actor.indexOf(':') + 1);
}
