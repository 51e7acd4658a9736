import type { Outbox } from '../chat/post-to-chat.ts';
import type { Autonomy, Binding } from '../config/policy-schema.ts';
import type { Logger } from '../observability/logger.ts';
import { auditEntry } from './audit-entry.ts';
import { postCard } from './post-card.ts';
import type { ProposalStore } from './proposal-store.ts';
import { type RunsQueue, resumeAfterDecision } from './resume.ts';

/**
 * Marks cards nobody decided in time as expired, so a card never offers a decision that would be
 * refused. Any number of workers may sweep: each proposal's transition happens once.
 */
export async function expireProposals(
  deps: {
    proposals: ProposalStore;
    outbox: Outbox;
    autonomy: Autonomy;
    /** Where people reach the dashboard (PUBLIC_URL), for links on cards; unset: no link. */
    dashboardUrl: string | undefined;
    log: Logger;
    /** Where a workflow run waiting on an expired gate is told, so it stops saying why. */
    runs?: RunsQueue;
    bindings?: readonly Binding[];
  },
  now = new Date(),
): Promise<string[]> {
  const expired: string[] = [];
  for (const id of await deps.proposals.pending()) {
    const record = await deps.proposals.record(id);
    const expiresAt = record?.origin?.expiresAt;
    if (record === undefined || expiresAt === undefined || Date.parse(expiresAt) > now.getTime())
      continue;
    const moved = await deps.proposals.transition(
      id,
      ['pending'],
      'expired',
      'expiry',
      { audit: auditEntry(record, 'expired', now, 'nobody decided in time') },
      now,
    );
    if (!moved.ok) continue;
    await postCard(deps.outbox, moved.record, deps, now);
    if (deps.runs !== undefined)
      await resumeAfterDecision(moved.record, deps.runs, deps.bindings ?? [], now);
    expired.push(id);
  }
  if (expired.length > 0) deps.log.info({ proposals: expired }, 'proposals expired');
  return expired;
}

/** Sweeps every `intervalMs` until stopped. */
export function sweepExpired(
  deps: Parameters<typeof expireProposals>[0],
  intervalMs = 30_000,
): { stop(): void } {
  const timer = setInterval(() => {
    expireProposals(deps).catch((error: unknown) =>
      deps.log.warn({ err: error }, 'expired proposals not swept; trying again later'),
    );
  }, intervalMs);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}
