import { DelayedError, type Job, UnrecoverableError, WaitingChildrenError } from 'bullmq';
import {
  type AskResult,
  type AskScope,
  answerQuestion,
  type PostStatus,
} from '../agents/runs/answer.ts';
import { BUDGET_HELD_RETRY_MS, BudgetHeld } from '../agents/runs/budget.ts';
import type { EngineDeps } from '../agents/runs/process-runs.ts';
import { SuspendRun } from '../agents/tool-use/run-agent.ts';
import type { Incidents } from '../alerts/incidents.ts';
import { showProposals } from '../approvals/offer.ts';
import { type Outbox, postToChat } from '../chat/post-to-chat.ts';
import type { FeedbackStore } from '../feedback/feedback-store.ts';
import { offerFeedback } from '../feedback/offer-feedback.ts';
import { authorise } from '../policy/authorise.ts';
import { redactText } from '../policy/redact.ts';
import type { AskRunJob } from '../queue/jobs.ts';
import type { ChannelRef } from '../shared/channel.ts';
import { recordDiagnosis } from './incident-reports.ts';
import { answeredBy, answeredLine, questionAnswer, statusLine } from './render-answer.ts';

/** The engine, and where the answer and its cards go. */
type AskDeps = EngineDeps & {
  outbox: Outbox;
  /** An answer in an alert group's thread is its incident's diagnosis. */
  incidents?: Incidents;
  /** Where each answer's snapshot is kept for the 👍 / 👎 under it. */
  feedback: FeedbackStore;
  /** Where people reach the dashboard (PUBLIC_URL), for links on cards; unset: no link. */
  dashboardUrl: string | undefined;
};

/**
 * The worker's answer to a question: one status message edited as the run goes, the answer, a
 * card for each proposal under it, and the exchange kept for follow-ups. Each message is posted
 * once, whatever the retries: its outbox job id is derived from the run's.
 */
export async function processAskRun(
  job: Job,
  token: string | undefined,
  run: AskRunJob,
  deps: AskDeps,
): Promise<AskResult> {
  const status = statusOf(run, deps);
  try {
    const scope = currentScope(run, deps);
    if (typeof scope === 'string') {
      await status('refused', scope);
      return { answer: scope, specialists: [], proposals: [], costUsd: 0 };
    }
    const result = await answerQuestion(job, token, run, deps, scope, status);
    await status('done', answeredLine(result.specialists));
    if (run.channel !== undefined && deps.spend !== undefined)
      await deps.spend.ledger.settle(run.channel, run.runId, result.costUsd);
    if (run.channel !== undefined) await postAnswer(run, run.channel, result, deps);
    if (deps.incidents !== undefined)
      await recordDiagnosis(deps.incidents, run.threadKey, {
        text: result.answer,
        by: answeredBy(result),
        runId: run.runId,
        at: new Date(),
      });
    if (run.conversation !== undefined && deps.conversations !== undefined)
      await deps.conversations.record(run.conversation, run.runId, {
        question: run.question,
        answer: redactText(result.answer),
      });
    return result;
  } catch (error) {
    // The orchestrator waits for its specialists without holding this worker slot.
    if (error instanceof SuspendRun) throw new WaitingChildrenError();
    // The channel's budget is held by runs in flight: wait for them, the slot free meanwhile.
    if (error instanceof BudgetHeld) {
      await job.moveToDelayed(Date.now() + BUDGET_HELD_RETRY_MS, token);
      throw new DelayedError();
    }
    // A failed attempt drops its hold; a retry holds again.
    if (run.channel !== undefined && deps.spend !== undefined)
      await deps.spend.ledger.settle(run.channel, run.runId, 0).catch(() => undefined);
    const last =
      error instanceof UnrecoverableError || job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
    if (last)
      await status(
        'failed',
        redactText(`I could not finish this: ${(error as Error).message}`),
      ).catch(() => undefined);
    throw error;
  }
}

/** One status message per run, edited as the run goes; each step is posted once (job ids). */
function statusOf(run: AskRunJob, deps: AskDeps): PostStatus {
  return async (step, text) => {
    if (run.channel === undefined) return;
    await postToChat(deps.outbox, {
      kind: 'status',
      key: [run.runId, step],
      channel: run.channel,
      thread: run.thread,
      threadOf: run.threadKey,
      message: statusLine(text),
      replace: { key: `status.${run.runId}`, version: Date.now() },
    });
  };
}

/**
 * The answer under its headline, with 👍 / 👎 (its snapshot kept to be rated), then each
 * proposal's card for the channel's approvers.
 */
async function postAnswer(
  run: AskRunJob,
  channel: ChannelRef,
  result: AskResult,
  deps: AskDeps,
): Promise<void> {
  const message = await offerFeedback(
    deps.feedback,
    questionAnswer(run, result.answer, result.proposals, result),
    {
      kind: 'answer',
      id: run.runId,
      channel,
      thread: run.thread,
      question: run.question,
      specialists: result.specialists,
      at: new Date(),
    },
  );
  await postToChat(deps.outbox, {
    kind: 'answer',
    key: [run.runId],
    channel,
    thread: run.thread,
    threadOf: run.threadKey,
    message,
  });
  await showProposals(
    result.proposals,
    {
      channel,
      ...(run.thread === undefined ? {} : { thread: run.thread }),
      ...(run.threadKey === undefined ? {} : { threadKey: run.threadKey }),
      requester: run.requester,
      cluster: run.cluster,
      namespaces: run.namespaces.slice(0, 100),
      conversation: run.conversation ?? `${channel}:${run.thread ?? run.runId}`.slice(0, 250),
    },
    {
      proposals: deps.proposals,
      outbox: deps.outbox,
      autonomy: deps.autonomy,
      dashboardUrl: deps.dashboardUrl,
    },
  );
}

/** The channel's binding as the config has it now (it may have changed since the bot queued). */
function currentScope(run: AskRunJob, deps: EngineDeps): AskScope | string {
  const scope = authorise.stillBound(
    { channel: run.channel, cluster: run.cluster, namespaces: run.namespaces },
    deps,
  );
  if (!scope.allowed) return scope.reason;
  return { cluster: scope.cluster, namespaces: [...scope.namespaces], maxTier: scope.maxTier };
}
