import type { Queue } from 'bullmq';
import type { Outbox } from '../chat/post-to-chat.ts';
import type { Autonomy } from '../config/policy-schema.ts';
import type { ActionJob } from '../queue/jobs.ts';
import { auditEntry } from './audit-entry.ts';
import { postCard } from './post-card.ts';
import type { ProposalRecord, ProposalStore } from './proposal-store.ts';

/**
 * An approval whose actions job was lost (Redis went away between the decision and the queue)
 * is queued again when someone clicks its card, but only while the card is still in its
 * decision window: an approval found after its expiry is closed as not applied, so a change
 * nobody is watching any more never runs. A job that is there (waiting, held while writes are
 * suspended, or done) is left as it is.
 */
export async function requeueApproved(
  record: ProposalRecord,
  deps: {
    actions: Queue<ActionJob>;
    proposals: ProposalStore;
    outbox: Outbox;
    autonomy: Autonomy;
    dashboardUrl: string | undefined;
  },
  now: Date,
): Promise<'queued' | 'present' | 'expired'> {
  if ((await deps.actions.getJob(record.id)) !== undefined) return 'present';
  const expiresAt = record.origin?.expiresAt;
  if (expiresAt !== undefined && Date.parse(expiresAt) > now.getTime()) {
    await deps.actions.add('execute', { proposalId: record.id }, { jobId: record.id });
    return 'queued';
  }
  const result = {
    summary: 'not applied',
    error:
      'the approval was never carried out and the proposal has expired; ask again for a fresh one',
  };
  const closed = await deps.proposals.transition(
    record.id,
    ['approved'],
    'failed',
    'expiry',
    { result, audit: auditEntry({ ...record, result }, 'failed', now, result.error) },
    now,
  );
  if (closed.ok) await postCard(deps.outbox, closed.record, deps, now);
  return 'expired';
}
