import { UnrecoverableError } from 'bullmq';
import { CoxswainError } from '../errors.ts';
import type { Logger } from '../observability/logger.ts';
import { bindingFor, mayApprove, mayRun } from '../policy/bindings.ts';
import { redactText } from '../policy/redact.ts';
import type { Autonomy, Binding } from '../policy/schema.ts';
import { tierOf } from '../policy/tiers.ts';
import {
  alreadyApplied,
  proposeAgain,
  verifyOutcome,
} from '../tools/kubernetes/actions/after-approval.ts';
import { executeAction, TargetChangedError } from '../tools/kubernetes/actions/execute.ts';
import type { Clusters } from '../tools/kubernetes/cluster.ts';
import { auditEntry } from './audit-entry.ts';
import { offerProposal } from './offer.ts';
import { type CardOutbox, postCard } from './post-card.ts';
import { type ProposalRecord, type ProposalStore, proposalId } from './proposal-store.ts';
import { type RunsQueue, resumeAfterDecision } from './resume.ts';

/**
 * The worker's side of an approval (the actions queue; the job id is the proposal id). The
 * worker checks again what the bot checked (config may have changed), moves the proposal to
 * executing, applies the change to the object as it was approved (`executeAction` re-validates
 * the target), checks the outcome, and reports on the card, in the thread and in the audit
 * trail. A target that moved on makes the proposal superseded and a fresh one is offered. A job
 * taken over from a worker that died while executing looks before it writes: a change already in
 * place is reported, not applied twice.
 */
export type ExecuteDeps = {
  proposals: ProposalStore;
  clusters: Clusters;
  bindings: readonly Binding[];
  autonomy: Autonomy;
  outbox: CardOutbox;
  /** Where a question that led to the proposal goes on, once it is decided. */
  runs?: RunsQueue;
  log: Logger;
  /** How long to wait for a rollout to settle before reporting what it showed. */
  verifyTimeoutMs?: number;
  now?: () => Date;
};

export type ExecuteResult = { state: ProposalRecord['state']; summary: string };

export async function executeProposal(id: string, deps: ExecuteDeps): Promise<ExecuteResult> {
  const now = () => (deps.now ?? (() => new Date()))();
  const record = await deps.proposals.record(id);
  if (record === undefined) throw new UnrecoverableError(`proposal ${id} does not exist`);
  const origin = record.origin;
  if (origin === undefined) throw new UnrecoverableError(`proposal ${id} was never shown`);
  if (record.state !== 'approved' && record.state !== 'executing')
    return { state: record.state, summary: `proposal ${id} is ${record.state}; nothing to do` };
  const cluster = deps.clusters.get(record.action.target.cluster);

  const resumed = record.state === 'executing';
  if (!resumed) {
    const refusal = checkAgain(record, deps);
    if (refusal !== undefined)
      return finish(
        record,
        'approved',
        'failed',
        { summary: 'not applied', error: refusal },
        deps,
        now(),
      );
    const started = await deps.proposals.transition(
      id,
      ['approved'],
      'executing',
      'worker',
      {},
      now(),
    );
    if (!started.ok)
      return {
        state: started.state === 'missing' ? 'failed' : started.state,
        summary: 'decided elsewhere',
      };
    await postCard(deps.outbox, started.record, deps.autonomy, now());
  } else if (await alreadyApplied(cluster, record.action)) {
    // The worker before this one wrote the change and died before saying so.
    const verified = await verifyOutcome(cluster, record.action, deps.verifyTimeoutMs);
    return finish(
      record,
      'executing',
      'succeeded',
      {
        summary: 'Applied (by the worker before this one, which stopped before reporting).',
        verified: verified.text,
      },
      deps,
      now(),
    );
  }

  let applied: Awaited<ReturnType<typeof executeAction>>;
  try {
    applied = await executeAction(cluster, record.action);
  } catch (error) {
    if (!(error instanceof CoxswainError)) throw error;
    // A lost answer (a timeout, a 409 after a write that landed) is not a change not made.
    if (await alreadyApplied(cluster, record.action).catch(() => false)) {
      const verified = await verified_(cluster, record, deps);
      return finish(
        record,
        'executing',
        'succeeded',
        { summary: 'Applied (its answer was lost; the change is in place).', verified },
        deps,
        now(),
      );
    }
    if (error instanceof TargetChangedError) return supersede(record, error.message, deps, now());
    return finish(
      record,
      'executing',
      'failed',
      { summary: 'not applied', error: redactText(error.message) },
      deps,
      now(),
    );
  }
  const verified = await verifyOutcome(cluster, record.action, deps.verifyTimeoutMs);
  return finish(
    record,
    'executing',
    'succeeded',
    {
      summary: 'Applied.',
      resourceVersionBefore: applied.resourceVersionBefore,
      ...(applied.resourceVersionAfter === undefined
        ? {}
        : { resourceVersionAfter: applied.resourceVersionAfter }),
      verified: verified.text,
    },
    deps,
    now(),
  );
}

/** What the check after the change showed; a check that could not be made says so. */
async function verified_(
  cluster: ReturnType<Clusters['get']>,
  record: ProposalRecord,
  deps: ExecuteDeps,
): Promise<string> {
  try {
    return (await verifyOutcome(cluster, record.action, deps.verifyTimeoutMs)).text;
  } catch (error) {
    return `Applied, but the outcome could not be checked: ${redactText((error as Error).message)}`;
  }
}

/**
 * A job that ended in an error nobody handled (its last attempt): the proposal says it failed,
 * on its card and in the audit trail, instead of staying "applying" for ever.
 */
export async function markFailed(id: string, error: string, deps: ExecuteDeps): Promise<void> {
  const record = await deps.proposals.record(id);
  if (record === undefined || (record.state !== 'approved' && record.state !== 'executing')) return;
  const cluster = deps.clusters.get(record.action.target.cluster);
  if (
    record.state === 'executing' &&
    (await alreadyApplied(cluster, record.action).catch(() => false))
  ) {
    await finish(
      record,
      'executing',
      'succeeded',
      { summary: 'Applied; the worker failed before reporting it.' },
      deps,
      new Date(),
    );
    return;
  }
  await finish(
    record,
    record.state,
    'failed',
    { summary: 'not applied', error: redactText(error) },
    deps,
    new Date(),
  );
}

/** The bot's checks, made again: the binding may have changed since the click. */
function checkAgain(record: ProposalRecord, deps: ExecuteDeps): string | undefined {
  const origin = record.origin;
  if (origin === undefined || record.decidedBy === undefined) return 'nobody approved it';
  const binding = bindingFor(origin.channel, deps.bindings);
  const target = record.action.target;
  const tier = tierOf({ verb: record.action.verb, kind: target.kind }, deps.autonomy);
  const scope = mayRun(
    binding,
    { cluster: target.cluster, ...(target.namespace ? { namespace: target.namespace } : {}) },
    tier,
  );
  if (!scope.allowed) return `no longer allowed: ${scope.reason}`;
  const approver = mayApprove(
    binding,
    { id: record.decidedBy, memberOf: record.decidedVia },
    origin.requester,
  );
  if (!approver.allowed) return `the approval no longer holds: ${approver.reason}`;
  return undefined;
}

async function finish(
  record: ProposalRecord,
  from: 'approved' | 'executing',
  to: 'succeeded' | 'failed',
  result: NonNullable<ProposalRecord['result']>,
  deps: ExecuteDeps,
  now: Date,
): Promise<ExecuteResult> {
  const audit = auditEntry(
    { ...record, result },
    to === 'succeeded' ? 'executed' : 'failed',
    now,
    to === 'succeeded'
      ? [result.summary, result.verified].filter(Boolean).join(' ')
      : (result.error ?? 'failed'),
  );
  const done = await deps.proposals.transition(
    record.id,
    [from],
    to,
    'worker',
    { result, audit },
    now,
  );
  if (!done.ok)
    return {
      state: done.state === 'missing' ? 'failed' : done.state,
      summary: 'decided elsewhere',
    };
  await postCard(deps.outbox, done.record, deps.autonomy, now);
  await report(
    done.record,
    to === 'succeeded'
      ? `Done: ${record.action.summary}. ${result.verified ?? ''}`
      : `Not done: ${record.action.summary}. ${result.error ?? ''}`,
    deps,
  );
  if (deps.runs !== undefined)
    await resumeAfterDecision(done.record, deps.runs, deps.bindings, now);
  deps.log.info({ proposalId: record.id, state: to }, 'proposal executed');
  return { state: to, summary: result.verified ?? result.error ?? result.summary };
}

/** The target moved on: this proposal is superseded, and the same change is offered afresh. */
async function supersede(
  record: ProposalRecord,
  reason: string,
  deps: ExecuteDeps,
  now: Date,
): Promise<ExecuteResult> {
  const origin = record.origin;
  const cluster = deps.clusters.get(record.action.target.cluster);
  const fresh = await proposeAgain(cluster, record.action);
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
  await postCard(deps.outbox, done.record, deps.autonomy, now);
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
        requester: origin.requester,
        cluster: origin.cluster,
      },
      { proposals: deps.proposals, outbox: deps.outbox, autonomy: deps.autonomy, now: () => now },
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

/** A line in the conversation's thread, besides the card. */
async function report(record: ProposalRecord, text: string, deps: ExecuteDeps) {
  const origin = record.origin;
  if (origin === undefined) return;
  await deps.outbox.add(
    'report',
    {
      channel: origin.channel,
      ...(origin.thread === undefined ? {} : { thread: origin.thread }),
      message: {
        text: text.slice(0, 3_000),
        tone: record.state === 'succeeded' ? 'resolved' : 'warning',
        fields: [],
        sections: [],
        links: [],
        buttons: [],
      },
    },
    { jobId: `report.${record.id}.${record.state}` },
  );
}
