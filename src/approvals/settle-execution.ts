import { postToChat } from '../chat/post-to-chat.ts';
import { redactText } from '../policy/redact.ts';
import { alreadyApplied } from '../tools/kubernetes/actions/after-approval.ts';
import { isKubeAction } from '../tools/proposed-action.ts';
import type { ActionRunner } from './action-runner.ts';
import { auditEntry } from './audit-entry.ts';
import type { ExecuteDeps, ExecuteResult } from './execute-proposal.ts';
import { postCard } from './post-card.ts';
import type { ExecutionResult, ProposalRecord } from './proposal-store.ts';
import { resumeAfterDecision } from './resume.ts';

/**
 * How an execution ends: the check after the change (a change in place is never reported as not
 * made), the proposal's last transition with its audit entry, its card and a line in its thread,
 * and the other cards that offered the same change, closed.
 */

/**
 * What the check after the change showed. The change is in place whatever the check says: a
 * rollout that does not settle, or a check that cannot be made, is reported as applied and not
 * verified, never as not applied.
 */
async function checkOutcome(
  runner: ActionRunner,
  applied: string,
  deps: ExecuteDeps,
): Promise<ExecutionResult> {
  try {
    const verified = await runner.verify(deps.verifyTimeoutMs);
    if (verified.ok)
      return {
        summary: applied,
        verified: verified.text,
        ...(verified.link === undefined ? {} : { link: verified.link }),
      };
    return { summary: `Applied; verification failed: ${verified.text}`, unverified: true };
  } catch (error) {
    return {
      summary: `Applied; verification failed: ${redactText((error as Error).message)}`,
      unverified: true,
    };
  }
}

/** Whether the change is in the cluster now; undefined when that cannot be told. */
export async function isInPlace(
  runner: ActionRunner,
  record: ProposalRecord,
): Promise<boolean | undefined> {
  if (record.applied !== undefined) return true;
  try {
    return await runner.inPlace();
  } catch {
    return undefined;
  }
}

export function outcomeUnknown(error: string): ExecutionResult {
  return {
    summary: 'outcome unknown',
    error: `${redactText(error)}; whether the change reached the cluster could not be checked: look at the target before proposing it again`,
  };
}

/** The change is in place: the proposal succeeds, with what the check after it showed. */
export async function finishApplied(
  record: ProposalRecord,
  runner: ActionRunner,
  how: string,
  deps: ExecuteDeps,
  now: Date,
  extra: Partial<ExecutionResult> = {},
): Promise<ExecuteResult> {
  const outcome = await checkOutcome(runner, how, deps);
  return finish(record, 'executing', 'succeeded', { ...outcome, ...extra }, deps, now);
}

export async function finish(
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
  if (!isKubeAction(done.action)) return;
  const target = done.action.target;
  const cluster = deps.clusters.get(target.cluster);
  for (const id of await deps.proposals.pending()) {
    if (id === done.id) continue;
    const other = await deps.proposals.record(id);
    const same = other?.action.target;
    if (
      other === undefined ||
      !isKubeAction(other.action) ||
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

/** A line in the conversation's thread, besides the card. */
export async function report(
  record: ProposalRecord,
  text: string,
  deps: ExecuteDeps,
  tone: 'resolved' | 'warning' = record.state === 'succeeded' ? 'resolved' : 'warning',
) {
  const origin = record.origin;
  if (origin === undefined) return;
  await postToChat(deps.outbox, {
    kind: 'report',
    key: [record.id, record.state],
    channel: origin.channel,
    thread: origin.thread,
    threadOf: origin.threadKey,
    message: { text, tone },
  });
}
