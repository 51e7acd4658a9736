import type { Outbox } from '../chat/post-to-chat.ts';
import type { Autonomy } from '../config/policy-schema.ts';
import { auditEntry } from './audit-entry.ts';
import { postCard } from './post-card.ts';
import type { Origin, Proposal, ProposalStore } from './proposal-store.ts';

/** How long a card may be decided on; after that it says it expired and does nothing. */
const DECISION_WINDOW_MS = 60 * 60 * 1000;

type OfferDeps = {
  proposals: ProposalStore;
  outbox: Outbox;
  autonomy: Autonomy;
  /** Where people reach the dashboard (PUBLIC_URL), for links on cards; unset: no link. */
  dashboardUrl: string | undefined;
  now?: () => Date;
};

/**
 * Shows proposals where the conversation is: each gets its card in the channel and thread that
 * asked, decidable for an hour by the binding's approvers. A proposal shown before keeps its card.
 */
export async function showProposals(
  ids: readonly string[],
  where: Omit<Origin, 'expiresAt'>,
  deps: OfferDeps,
): Promise<void> {
  const now = (deps.now ?? (() => new Date()))();
  const expiresAt = new Date(now.getTime() + DECISION_WINDOW_MS).toISOString();
  for (const id of ids) {
    const before = await deps.proposals.record(id);
    if (before === undefined) continue;
    const origin = { ...where, expiresAt };
    await deps.proposals.attach(
      id,
      origin,
      auditEntry({ ...before, origin }, 'proposed', now, 'awaiting a decision'),
    );
    const record = await deps.proposals.record(id);
    if (record === undefined) continue;
    await postCard(deps.outbox, record, deps, now);
  }
}

/** Records a proposal (once, under its id) and shows its card. */
export async function offerProposal(
  proposal: Proposal,
  where: Omit<Origin, 'expiresAt'>,
  deps: OfferDeps,
): Promise<void> {
  await deps.proposals.create(proposal);
  await showProposals([proposal.id], where, deps);
}
