import { auditEntry } from '../approvals/audit-entry.ts';
import { offerProposal, showProposals } from '../approvals/offer.ts';
import { postCard } from '../approvals/post-card.ts';
import type { Origin, ProposalStore } from '../approvals/proposal-store.ts';
import type { Outbox } from '../chat/post-to-chat.ts';
import type { Autonomy } from '../config/policy-schema.ts';
import type { ActionJob } from '../queue/jobs.ts';
import type { GateOutcome } from './advance.ts';
import type { RunView } from './run-record.ts';
import type { Gates } from './run-step.ts';

/**
 * Confirm gates on the approvals everyone else uses: a step's change is a proposal with its card
 * in the run's channel, decided by the binding's approvers, executed once by the actions queue,
 * audited. The proposal's origin names the run and step, so its end resumes the run. A change the
 * workflow may make itself (`auto_approve`, or a safe tier) is approved by the workflow at once,
 * audited as `auto`, and executed the same way.
 */
export type GateDeps = {
  proposals: ProposalStore;
  outbox: Outbox;
  autonomy: Autonomy;
  dashboardUrl: string | undefined;
  actions: { add(name: string, data: ActionJob, options: { jobId: string }): Promise<unknown> };
  now?: () => Date;
};

export function proposalGates(view: RunView, step: string, deps: GateDeps): Gates {
  const place = view.run.place;
  const workflow = view.run.workflow.name;
  const where = (auto: boolean): Omit<Origin, 'expiresAt'> | undefined =>
    place.channel === undefined
      ? undefined
      : {
          channel: place.channel,
          ...(place.thread === undefined ? {} : { thread: place.thread }),
          ...(place.threadKey === undefined ? {} : { threadKey: place.threadKey }),
          requester: place.requester,
          cluster: place.cluster,
          workflow: { runId: view.run.runId, step, name: workflow, auto },
        };
  return {
    async propose(proposal, approval) {
      const origin = where(approval === 'auto');
      if (origin === undefined)
        return {
          ok: false,
          reason: `${proposal.action.summary}: this run has no channel where it could be approved`,
        };
      await offerProposal(proposal, origin, deps);
      if (approval === 'auto') await approveAsWorkflow(proposal.id, workflow, deps);
      return { ok: true };
    },
    async show(ids) {
      const origin = where(false);
      if (origin === undefined) return false;
      await showProposals(ids, origin, deps);
      return true;
    },
  };
}

/** The workflow's own approval: one transition from pending (a retry finds it made), then the job. */
async function approveAsWorkflow(id: string, workflow: string, deps: GateDeps): Promise<void> {
  const now = (deps.now ?? (() => new Date()))();
  const record = await deps.proposals.record(id);
  if (record === undefined) return;
  if (record.state === 'pending') {
    const by = `workflow:${workflow}`;
    const moved = await deps.proposals.transition(
      id,
      ['pending'],
      'approved',
      by,
      {
        decidedBy: by,
        decidedAt: now.toISOString(),
        audit: auditEntry(
          { ...record, decidedBy: by },
          'approved',
          now,
          `approved by workflow ${workflow} (auto_approve); queued for execution`,
        ),
      },
      now,
    );
    if (moved.ok) await postCard(deps.outbox, moved.record, deps, now);
  }
  const latest = await deps.proposals.record(id);
  if (latest?.state === 'approved' || latest?.state === 'executing')
    await deps.actions.add('execute', { proposalId: id }, { jobId: id });
}

/** What became of a gate's proposals, once every one is decided and done. */
export async function gateOutcome(
  proposals: Pick<ProposalStore, 'record'>,
  ids: readonly string[],
): Promise<GateOutcome | undefined> {
  const records = await Promise.all(ids.map((id) => proposals.record(id)));
  const ends: GateOutcome[] = [];
  for (const [i, record] of records.entries()) {
    if (record === undefined) {
      ends.push({ state: 'failed', error: `proposal ${ids[i]} is gone` });
      continue;
    }
    const summary = record.action.summary;
    switch (record.state) {
      case 'pending':
      case 'approved':
      case 'executing':
        return undefined;
      case 'succeeded':
        ends.push({
          state: 'succeeded',
          outputs: {
            state: 'succeeded',
            summary,
            verified: record.result?.verified ?? record.result?.summary ?? '',
            approved_by: record.decidedBy ?? '',
            proposal: record.id,
          },
          text: `Done: ${summary}. ${record.result?.verified ?? ''}`.trim(),
        });
        break;
      case 'failed':
        ends.push({ state: 'failed', error: `${summary}: ${record.result?.error ?? 'failed'}` });
        break;
      case 'rejected':
        ends.push({
          state: 'stopped',
          reason: `${summary}: rejected by ${record.decidedBy ?? 'someone'}`,
        });
        break;
      case 'expired':
        ends.push({ state: 'stopped', reason: `${summary}: nobody decided in time` });
        break;
      case 'superseded':
        ends.push({
          state: 'stopped',
          reason: `${summary}: superseded (${record.result?.error ?? 'the target changed'})`,
        });
        break;
    }
  }
  return combine(ends);
}

/** One proposal's end is the gate's; several: any failure fails it, none applied stops it. */
function combine(ends: readonly GateOutcome[]): GateOutcome {
  const [only] = ends;
  if (ends.length === 1 && only !== undefined) return only;
  const failed = ends.find((e) => e.state === 'failed');
  if (failed !== undefined) return failed;
  const applied = ends.filter((e) => e.state === 'succeeded');
  if (applied.length === 0)
    return (
      ends.find((e) => e.state === 'stopped') ?? { state: 'stopped', reason: 'nothing was decided' }
    );
  return {
    state: 'succeeded',
    outputs: { applied: applied.length, decided: ends.length },
    text: applied.map((e) => (e.state === 'succeeded' ? e.text : '')).join('\n'),
  };
}
