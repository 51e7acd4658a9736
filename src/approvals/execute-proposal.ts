import { UnrecoverableError } from 'bullmq';
import type { Outbox } from '../chat/post-to-chat.ts';
import type { Autonomy, Binding, Identity } from '../config/policy-schema.ts';
import { CoxswainError } from '../errors.ts';
import type { Logger } from '../observability/logger.ts';
import { authorise } from '../policy/authorise.ts';
import { redactText } from '../policy/redact.ts';
import type { SuspendSwitch } from '../policy/suspend.ts';
import { TargetChangedError } from '../tools/kubernetes/actions/execute.ts';
import { KubernetesError } from '../tools/kubernetes/errors.ts';
import { type ActionRunner, type RunnerDeps, runnerFor } from './action-runner.ts';
import { postCard } from './post-card.ts';
import type { ProposalRecord, ProposalStore } from './proposal-store.ts';
import type { RunsQueue } from './resume.ts';
import { finish, finishApplied, isInPlace, outcomeUnknown } from './settle-execution.ts';
import { supersede } from './supersede-proposal.ts';

/**
 * The worker's side of an approval (the actions queue; the job id is the proposal id). The
 * worker checks again what the bot checked (config may have changed), moves the proposal to
 * executing, applies the change to the object as it was approved (`executeAction` re-validates
 * the target), checks the outcome, and reports on the card, in the thread and in the audit
 * trail. A target that moved on makes the proposal superseded and a fresh one is offered. A job
 * taken over from a worker that died while executing looks before it writes: a change already in
 * place is reported, not applied twice.
 */
export type ExecuteDeps = RunnerDeps & {
  proposals: ProposalStore;
  bindings: readonly Binding[];
  /** A person's accounts across platforms, for checking the approval again. */
  people: readonly Identity[];
  autonomy: Autonomy;
  /** Where people reach the dashboard (PUBLIC_URL), for links on cards; unset: no link. */
  dashboardUrl: string | undefined;
  outbox: Outbox;
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
  const runner = runnerFor(record, deps);
  const begun = await begin(record, origin, runner, deps, now);
  if (begun !== undefined) return begun;
  return write(record, runner, deps, now);
}

type Now = () => Date;

/**
 * Moves an approved proposal to executing after the bot's checks, made again; or decides what to
 * do with one already executing. Undefined: go on and write.
 */
function begin(
  record: ProposalRecord,
  origin: NonNullable<ProposalRecord['origin']>,
  runner: ActionRunner,
  deps: ExecuteDeps,
  now: Now,
): Promise<ExecuteResult | undefined> {
  return record.state === 'executing'
    ? resume(record, origin, runner, deps, now)
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
  runner: ActionRunner,
  deps: ExecuteDeps,
  now: Now,
): Promise<ExecuteResult | undefined> {
  if (record.applied !== undefined) {
    // The worker before this one wrote the change and died before saying so.
    return finishApplied(
      record,
      runner,
      'Applied (by the worker before this one, which stopped before reporting).',
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
  const inPlace = await runner.inPlace();
  if (!inPlace && record.writing !== undefined && !runner.repeatable)
    return finish(
      record,
      'executing',
      'failed',
      outcomeUnknown(
        `the worker before this one sent the write at ${record.writing} and stopped before its answer; sending it again could run it twice`,
      ),
      deps,
      now(),
    );
  if (inPlace)
    return finishApplied(
      record,
      runner,
      'Already in place when the worker looked (written by an earlier worker that stopped before reporting, or by someone else).',
      deps,
      now(),
    );
  return undefined;
}

/** Writes the change (unless suspended meanwhile) and reports what came of it. */
async function write(
  record: ProposalRecord,
  runner: ActionRunner,
  deps: ExecuteDeps,
  now: Now,
): Promise<ExecuteResult> {
  const id = record.id;
  const stopIfSuspended = async () => {
    if ((await deps.suspension.state()) !== undefined) throw new WritesSuspendedError();
  };
  await stopIfSuspended();
  const beforeWrite = async () => {
    await stopIfSuspended();
    // From here the write may reach the cluster: a takeover must know it may have been sent.
    await deps.proposals.markWriting(id, now());
  };
  let applied: Awaited<ReturnType<ActionRunner['apply']>>;
  try {
    // Looked at again right before the write: a suspension during the checks holds it.
    applied = await runner.apply(beforeWrite);
  } catch (error) {
    if (!(error instanceof CoxswainError)) throw error;
    return notWritten(error, record, runner, deps, now);
  }
  const { done, ...versions } = applied;
  await deps.proposals.markApplied(id, {
    at: now().toISOString(),
    ...(versions.resourceVersionBefore === undefined
      ? {}
      : { resourceVersionBefore: versions.resourceVersionBefore }),
    ...(versions.resourceVersionAfter === undefined
      ? {}
      : { resourceVersionAfter: versions.resourceVersionAfter }),
  });
  return finishApplied(record, runner, done ?? 'Applied.', deps, now(), versions);
}

/**
 * What a failed write means: refused before anything was written (superseded, or nothing to do
 * when the change is in place), a lost answer to a write that landed, or not applied. Never "not
 * applied" when it may have been.
 */
async function notWritten(
  error: CoxswainError,
  record: ProposalRecord,
  runner: ActionRunner,
  deps: ExecuteDeps,
  now: Now,
): Promise<ExecuteResult> {
  // Refused before anything was written: the target moved on, perhaps to just this change
  // (another proposal for it was approved first, or someone made it by hand).
  if (error instanceof TargetChangedError && error.written === 'no') {
    if ((await isInPlace(runner, record)) === true)
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
  const inPlace = await isInPlace(runner, record);
  if (inPlace === true)
    return finishApplied(
      record,
      runner,
      'Applied (its answer was lost; the change is in place).',
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
 * A job that ended in an error nobody handled (its last attempt): the proposal says it failed,
 * on its card and in the audit trail, instead of staying "applying" for ever.
 */
export async function markFailed(id: string, error: string, deps: ExecuteDeps): Promise<void> {
  const record = await deps.proposals.record(id);
  if (record === undefined || (record.state !== 'approved' && record.state !== 'executing')) return;
  const runner = runnerFor(record, deps);
  const inPlace = record.state === 'executing' ? await isInPlace(runner, record) : false;
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
  if (origin === undefined) return 'nobody approved it';
  const answer = authorise.execute(
    {
      channel: origin.channel,
      requester: origin.requester,
      decidedBy: record.decidedBy,
      decidedVia: record.decidedVia,
      action: record.action,
      autoApproved: isAutoApproved(record),
    },
    deps,
  );
  return answer.allowed ? undefined : answer.reason;
}

/**
 * Approved by its workflow, not a person: the workflow's own mark on the card's origin, and the
 * decider the workflow's name (a person's id is always `platform:ID`, never `workflow:`).
 */
export function isAutoApproved(record: ProposalRecord): boolean {
  return (
    record.origin?.workflow?.auto === true && record.decidedBy?.startsWith('workflow:') === true
  );
}
