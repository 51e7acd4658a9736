import { redactText } from '../policy/redact.ts';
import { proposeAgain } from '../tools/kubernetes/actions/after-approval.ts';
import { ForbiddenChangeError } from '../tools/kubernetes/actions/dry-run.ts';
import { isKubeAction } from '../tools/proposed-action.ts';
import { auditEntry } from './audit-entry.ts';
import type { ExecuteDeps, ExecuteResult } from './execute-proposal.ts';
import { offerProposal } from './offer.ts';
import { postCard } from './post-card.ts';
import { type ProposalRecord, proposalId } from './proposal-store.ts';
import { resumeAfterDecision } from './resume.ts';
import { report } from './settle-execution.ts';

/**
 * The target moved on since the change was approved: the proposal is superseded, and the same
 * change is offered afresh against the object as it is now (unless nothing is left to propose).
 */

/** The target moved on: this proposal is superseded, and the same change is offered afresh. */
export async function supersede(
  record: ProposalRecord,
  why: string,
  deps: ExecuteDeps,
  now: Date,
): Promise<ExecuteResult> {
  const origin = record.origin;
  const action = record.action;
  let reason = why;
  // The same change made now may touch what no tier allows (the object moved on): say so.
  const fresh = !isKubeAction(action)
    ? undefined
    : await proposeAgain(deps.clusters.get(action.target.cluster), action).catch(
        (error: unknown) => {
          if (!(error instanceof ForbiddenChangeError)) throw error;
          reason = `${reason}; made again now it would be refused: ${error.message}`;
          return undefined;
        },
      );
  const freshId = fresh === undefined ? undefined : proposalId(record.runId, `${record.id}/again`);
  const done = await deps.proposals.transition(
    record.id,
    ['executing'],
    'superseded',
    'worker',
    {
      ...(freshId === undefined ? {} : { supersededBy: freshId }),
      result: { summary: 'not applied', error: redactText(reason) },
      audit: auditEntry(record, 'superseded', now, redactText(reason)),
    },
    now,
  );
  if (!done.ok)
    return {
      state: done.state === 'missing' ? 'failed' : done.state,
      summary: 'decided elsewhere',
    };
  await postCard(deps.outbox, done.record, deps, now);
  if (deps.runs !== undefined)
    await resumeAfterDecision(done.record, deps.runs, deps.bindings, now);
  if (fresh !== undefined && freshId !== undefined && origin !== undefined) {
    await offerProposal(
      {
        id: freshId,
        runId: record.runId,
        agent: record.agent,
        action: fresh,
        state: 'pending',
        createdAt: now.toISOString(),
        rationale: `Offered again: ${redactText(reason)}`,
      },
      {
        channel: origin.channel,
        ...(origin.thread === undefined ? {} : { thread: origin.thread }),
        ...(origin.threadKey === undefined ? {} : { threadKey: origin.threadKey }),
        requester: origin.requester,
        cluster: origin.cluster,
      },
      {
        proposals: deps.proposals,
        outbox: deps.outbox,
        autonomy: deps.autonomy,
        dashboardUrl: deps.dashboardUrl,
        now: () => now,
      },
    );
  } else {
    await report(
      done.record,
      `Not done: ${record.action.summary}. ${redactText(reason)} Nothing is left to propose.`,
      deps,
    );
  }
  return { state: 'superseded', summary: reason };
}
