import { UnrecoverableError } from 'bullmq';
import { CoxswainError } from '../errors.ts';
import type { Logger } from '../observability/logger.ts';
import { bindingFor, mayApprove, mayRun } from '../policy/bindings.ts';
import { redactText } from '../policy/redact.ts';
import type { Autonomy, Binding, Identity } from '../policy/schema.ts';
import type { SuspendSwitch } from '../policy/suspend.ts';
import { tierOf } from '../policy/tiers.ts';
import {
  alreadyApplied,
  proposeAgain,
  verifyOutcome,
} from '../tools/kubernetes/actions/after-approval.ts';
import { executeAction, TargetChangedError } from '../tools/kubernetes/actions/execute.ts';
import { ForbiddenChangeError } from '../tools/kubernetes/actions/propose.ts';
import type { Clusters } from '../tools/kubernetes/cluster.ts';
import { KubernetesError } from '../tools/kubernetes/errors.ts';
import { auditEntry } from './audit-entry.ts';
import { offerProposal } from './offer.ts';
import { type CardOutbox, postCard } from './post-card.ts';
import {
  type ExecutionResult,
  type ProposalRecord,
  type ProposalStore,
  proposalId,
} from './proposal-store.ts';
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
  /** A person's accounts across platforms, for checking the approval again. */
  people: readonly Identity[];
  autonomy: Autonomy;
  /** Where people reach the dashboard (PUBLIC_URL), for links on cards; unset: no link. */
  dashboardUrl: string | undefined;
  outbox: CardOutbox;
  /** Where a question that led to the proposal goes on, once it is decided. */
  runs?: RunsQueue;
  log: Logger;
  /** Looked at once more just before the write: a suspension that came meanwhile holds it. */
  suspension: SuspendSwitch;
  /** How long to wait for a rollout to settle before reporting what it showed. */
  verifyTimeoutMs?: number;
  now?: () => Date;
};

export type ExecuteResult = { state: ProposalRecord['state']; summary: string };

/**
 * Writes were suspended between the job's start and its write: nothing was written, and the job
 * waits to be run again (as executing, it writes then, unless the change is in place).
 */
export class WritesSuspendedError extends Error {
  constructor() {
    super('writes are suspended');
    this.name = 'WritesSuspendedError';
  }
}

export async function executeProposal(id: string, deps: ExecuteDeps): Promise<ExecuteResult> {
  const now = () => (deps.now ?? (() => new Date()))();
  const record = await deps.proposals.record(id);
  if (record === undefined) throw new UnrecoverableError(`proposal ${id} does not exist`);
  const origin = record.origin;
  if (origin === undefined) throw new UnrecoverableError(`proposal ${id} was never shown`);
  if (record.state !== 'approved' && record.state !== 'executing')
    return { state: record.state, summary: `proposal ${id} is ${record.state}; nothing to do` };
  const cluster = deps.clusters.get(record.action.target.cluster);
  const begun = await begin(record, origin, cluster, deps, now);
  if (begun !== undefined) return begun;
  return write(record, cluster, deps, now);
}

type Now = () => Date;
type ClusterOf = ReturnType<Clusters['get']>;

/**
 * Moves an approved proposal to executing after the bot's checks, made again; or decides what to
 * do with one already executing. Undefined: go on and write.
 */
function begin(
  record: ProposalRecord,
  origin: NonNullable<ProposalRecord['origin']>,
  cluster: ClusterOf,
  deps: ExecuteDeps,
  now: Now,
): Promise<ExecuteResult | undefined> {
  return record.state === 'executing'
    ? resume(record, origin, cluster, deps, now)
    : start(record, deps, now);
}

async function start(
  record: ProposalRecord,
  deps: ExecuteDeps,
  now: Now,
): Promise<ExecuteResult | undefined> {
  const id = record.id;
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
  await postCard(deps.outbox, started.record, deps, now());
  return undefined;
}

/**
 * A proposal already executing: a takeover from a worker that stopped, or a change held by a
 * suspension. Done if the change is recorded or found in place; refused if the bot's checks or
 * the approval's expiry no longer allow it; otherwise still to be written.
 */
async function resume(
  record: ProposalRecord,
  origin: NonNullable<ProposalRecord['origin']>,
  cluster: ClusterOf,
  deps: ExecuteDeps,
  now: Now,
): Promise<ExecuteResult | undefined> {
  if (record.applied !== undefined) {
    // The worker before this one wrote the change and died before saying so.
    return finish(
      record,
      'executing',
      'succeeded',
      await checkOutcome(
        cluster,
        record,
        'Applied (by the worker before this one, which stopped before reporting).',
        deps,
      ),
      deps,
      now(),
    );
  }
  // Held (writes were suspended) or taken over before any write: judged afresh, since the
  // binding, the approver or the clock may have moved on meanwhile.
  const refusal =
    checkAgain(record, deps) ??
    (Date.parse(origin.expiresAt) <= now().getTime()
      ? 'the approval expired before the change could be made (writes were suspended, or the worker stopped)'
      : undefined);
  if (refusal !== undefined)
    return finish(
      record,
      'executing',
      'failed',
      { summary: 'not applied', error: refusal },
      deps,
      now(),
    );
  if (await alreadyApplied(cluster, record.action))
    return finish(
      record,
      'executing',
      'succeeded',
      await checkOutcome(
        cluster,
        record,
        'Already in place when the worker looked (written by an earlier worker that stopped before reporting, or by someone else).',
        deps,
      ),
      deps,
      now(),
    );
  return undefined;
}

/** Writes the change (unless suspended meanwhile) and reports what came of it. */
async function write(
  record: ProposalRecord,
  cluster: ClusterOf,
  deps: ExecuteDeps,
  now: Now,
): Promise<ExecuteResult> {
  const id = record.id;
  const stopIfSuspended = async () => {
    if ((await deps.suspension.state()) !== undefined) throw new WritesSuspendedError();
  };
  await stopIfSuspended();
  let applied: Awaited<ReturnType<typeof executeAction>>;
  try {
    // Looked at again right before the write: a suspension during the checks holds it.
    applied = await executeAction(cluster, record.action, stopIfSuspended);
  } catch (error) {
    if (!(error instanceof CoxswainError)) throw error;
    return notWritten(error, record, cluster, deps, now);
  }
  await deps.proposals.markApplied(id, {
    at: now().toISOString(),
    resourceVersionBefore: applied.resourceVersionBefore,
    ...(applied.resourceVersionAfter === undefined
      ? {}
      : { resourceVersionAfter: applied.resourceVersionAfter }),
  });
  return finish(
    record,
    'executing',
    'succeeded',
    {
      ...(await checkOutcome(cluster, record, 'Applied.', deps)),
      resourceVersionBefore: applied.resourceVersionBefore,
      ...(applied.resourceVersionAfter === undefined
        ? {}
        : { resourceVersionAfter: applied.resourceVersionAfter }),
    },
    deps,
    now(),
  );
}

/**
 * What a failed write means: refused before anything was written (superseded, or nothing to do
 * when the change is in place), a lost answer to a write that landed, or not applied. Never "not
 * applied" when it may have been.
 */
async function notWritten(
  error: CoxswainError,
  record: ProposalRecord,
  cluster: ClusterOf,
  deps: ExecuteDeps,
  now: Now,
): Promise<ExecuteResult> {
  // Refused before anything was written: the target moved on, perhaps to just this change
  // (another proposal for it was approved first, or someone made it by hand).
  if (error instanceof TargetChangedError && error.written === 'no') {
    if ((await isInPlace(cluster, record)) === true)
      return finish(
        record,
        'executing',
        'succeeded',
        {
          summary:
            'Nothing to do: the change was already in place (made by another proposal or by hand); nothing was written.',
        },
        deps,
        now(),
      );
    return supersede(record, error.message, deps, now());
  }
  // A lost answer (a timeout, a 409 after a write that landed) is not a change not made.
  const inPlace = await isInPlace(cluster, record);
  if (inPlace === true)
    return finish(
      record,
      'executing',
      'succeeded',
      await checkOutcome(
        cluster,
        record,
        'Applied (its answer was lost; the change is in place).',
        deps,
      ),
      deps,
      now(),
    );
  if (error instanceof TargetChangedError) return supersede(record, error.message, deps, now());
  // No answer and no way to look: the change may or may not have landed.
  const answered = !(error instanceof KubernetesError) || error.status !== undefined;
  return finish(
    record,
    'executing',
    'failed',
    inPlace === undefined && !answered
      ? outcomeUnknown(error.message)
      : { summary: 'not applied', error: redactText(error.message) },
    deps,
    now(),
  );
}

/**
 * What the check after the change showed. The change is in place whatever the check says: a
 * rollout that does not settle, or a check that cannot be made, is reported as applied and not
 * verified, never as not applied.
 */
async function checkOutcome(
  cluster: ReturnType<Clusters['get']>,
  record: ProposalRecord,
  applied: string,
  deps: ExecuteDeps,
): Promise<ExecutionResult> {
  try {
    const verified = await verifyOutcome(cluster, record.action, deps.verifyTimeoutMs);
    if (verified.ok) return { summary: applied, verified: verified.text };
    return { summary: `Applied; verification failed: ${verified.text}`, unverified: true };
  } catch (error) {
    return {
      summary: `Applied; verification failed: ${redactText((error as Error).message)}`,
      unverified: true,
    };
  }
}

/** Whether the change is in the cluster now; undefined when that cannot be told. */
async function isInPlace(
  cluster: ReturnType<Clusters['get']>,
  record: ProposalRecord,
): Promise<boolean | undefined> {
  if (record.applied !== undefined) return true;
  try {
    return await alreadyApplied(cluster, record.action);
  } catch {
    return undefined;
  }
}

function outcomeUnknown(error: string): ExecutionResult {
  return {
    summary: 'outcome unknown',
    error: `${redactText(error)}; whether the change reached the cluster could not be checked: look at the target before proposing it again`,
  };
}

/**
 * A job that ended in an error nobody handled (its last attempt): the proposal says it failed,
 * on its card and in the audit trail, instead of staying "applying" for ever.
 */
export async function markFailed(id: string, error: string, deps: ExecuteDeps): Promise<void> {
  const record = await deps.proposals.record(id);
  if (record === undefined || (record.state !== 'approved' && record.state !== 'executing')) return;
  const cluster = deps.clusters.get(record.action.target.cluster);
  const inPlace = record.state === 'executing' ? await isInPlace(cluster, record) : false;
  await finish(
    record,
    record.state,
    inPlace === true ? 'succeeded' : 'failed',
    inPlace === true
      ? {
          summary: `Applied; verification failed: the worker failed before checking it (${redactText(error)})`,
          unverified: true,
        }
      : inPlace === undefined
        ? outcomeUnknown(error)
        : { summary: 'not applied', error: redactText(error) },
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
    deps.people,
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
  await postCard(deps.outbox, done.record, deps, now);
  if (to === 'succeeded') await closeDuplicates(done.record, deps, now);
  await report(
    done.record,
    to === 'failed'
      ? `${result.summary === 'not applied' ? 'Not done' : 'Failed'}: ${record.action.summary}. ${result.error ?? ''}`
      : result.unverified === true
        ? `Applied, not verified: ${record.action.summary}. ${result.summary}`
        : `Done: ${record.action.summary}. ${result.verified ?? ''}`,
    deps,
    to === 'succeeded' && result.unverified !== true ? 'resolved' : 'warning',
  );
  if (deps.runs !== undefined)
    await resumeAfterDecision(done.record, deps.runs, deps.bindings, now);
  deps.log.info({ proposalId: record.id, state: to }, 'proposal executed');
  return { state: to, summary: result.verified ?? result.error ?? result.summary };
}

/**
 * Other cards still offering a change that is now in place (a `diagnose` and a question about the
 * same namespace each offer the same fix) say so at once, instead of waiting for a click that
 * would do nothing. A different change to the same object stays on offer.
 */
async function closeDuplicates(done: ProposalRecord, deps: ExecuteDeps, now: Date): Promise<void> {
  const target = done.action.target;
  const cluster = deps.clusters.get(target.cluster);
  for (const id of await deps.proposals.pending()) {
    if (id === done.id) continue;
    const other = await deps.proposals.record(id);
    const same = other?.action.target;
    if (
      other === undefined ||
      other.state !== 'pending' ||
      same?.cluster !== target.cluster ||
      same.namespace !== target.namespace ||
      same.kind !== target.kind ||
      same.name !== target.name ||
      !(await alreadyApplied(cluster, other.action).catch(() => false))
    )
      continue;
    const reason = `the same change was made by proposal ${done.id}`;
    const closed = await deps.proposals.transition(
      id,
      ['pending'],
      'superseded',
      'worker',
      {
        supersededBy: done.id,
        result: { summary: 'not applied', error: reason },
        audit: auditEntry(other, 'superseded', now, reason),
      },
      now,
    );
    if (closed.ok) await postCard(deps.outbox, closed.record, deps, now);
  }
}

/** The target moved on: this proposal is superseded, and the same change is offered afresh. */
async function supersede(
  record: ProposalRecord,
  why: string,
  deps: ExecuteDeps,
  now: Date,
): Promise<ExecuteResult> {
  const origin = record.origin;
  const cluster = deps.clusters.get(record.action.target.cluster);
  let reason = why;
  // The same change made now may touch what no tier allows (the object moved on): say so.
  const fresh = await proposeAgain(cluster, record.action).catch((error: unknown) => {
    if (!(error instanceof ForbiddenChangeError)) throw error;
    reason = `${reason}; made again now it would be refused: ${error.message}`;
    return undefined;
  });
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

/** A line in the conversation's thread, besides the card. */
async function report(
  record: ProposalRecord,
  text: string,
  deps: ExecuteDeps,
  tone: 'resolved' | 'warning' = record.state === 'succeeded' ? 'resolved' : 'warning',
) {
  const origin = record.origin;
  if (origin === undefined) return;
  await deps.outbox.add(
    'report',
    {
      channel: origin.channel,
      ...(origin.thread === undefined ? {} : { thread: origin.thread }),
      message: {
        text: text.slice(0, 3_000),
        tone,
        fields: [],
        sections: [],
        links: [],
        buttons: [],
      },
    },
    { jobId: `report.${record.id}.${record.state}` },
  );
}
