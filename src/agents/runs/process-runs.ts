import type Anthropic from '@anthropic-ai/sdk';
import { type Job, type Queue, UnrecoverableError, WaitingChildrenError } from 'bullmq';
import { showProposals } from '../../approvals/offer.ts';
import type { ProposalStore } from '../../approvals/proposal-store.ts';
import type { ModelIds } from '../../config/model-ids.ts';
import type { Autonomy, Binding } from '../../config/policy-schema.ts';
import type { Logger } from '../../observability/logger.ts';
import { bindingFor } from '../../policy/bindings.ts';
import { redactText } from '../../policy/redact.ts';
import type { AgentRunJob, AskRunJob, OutboxJobInput, RunJobInput } from '../../queue/jobs.ts';
import type { Clusters } from '../../tools/kubernetes/cluster.ts';
import type { AgentRegistry } from '../registry.ts';
import type { Checkpoints, JobLock } from '../tool-use/checkpoints.ts';
import { type Budget, SuspendRun } from '../tool-use/run-agent.ts';
import type { ChannelSpend } from './budget.ts';
import type { EngineContext, SpecialistResult } from './context.ts';
import { type ConversationLog, withContext } from './conversations.ts';
import { answerOffline } from './offline.ts';
import { runOrchestrator } from './orchestrator.ts';
import { queueDelegator } from './queue-delegator.ts';
import { runSpecialist } from './specialist.ts';

/**
 * The worker's side of a question: the orchestrator's run (`ask`) and each specialist's (`agent`,
 * a child job). Both resume from their checkpoints when a worker dies; the answer is posted once
 * (its outbox job id is the run's).
 */
export type EngineDeps = {
  agents: AgentRegistry;
  /** Undefined without ANTHROPIC_API_KEY: answers come from the analyzers. */
  client: Anthropic | undefined;
  models: ModelIds;
  clusters: Clusters;
  checkpoints: Checkpoints;
  proposals: ProposalStore;
  autonomy: Autonomy;
  /** Where people reach the dashboard (PUBLIC_URL), for links on cards; unset: no link. */
  dashboardUrl: string | undefined;
  budget: Budget;
  runs: Queue<RunJobInput>;
  outbox: Queue<OutboxJobInput>;
  /** Spend per channel per day, and its limit. */
  spend?: { ledger: ChannelSpend; dailyLimitUsd: number };
  /** Earlier exchanges of a thread or DM, for follow-ups. */
  conversations?: ConversationLog;
  /** The bindings as configured now, to check a queued question's channel again. */
  bindings?: readonly Binding[];
  onUsage?: EngineContext['onUsage'];
  /** The root of each run's logger. */
  log: Logger;
};

export type AskResult = {
  answer: string;
  specialists: string[];
  proposals: string[];
  costUsd: number;
};

export async function processAskRun(
  job: Job,
  token: string | undefined,
  run: AskRunJob,
  deps: EngineDeps,
): Promise<AskResult> {
  // One status message per run, edited as the run goes; each step is posted once (job ids).
  const status = async (step: string, text: string) => {
    if (run.channel === undefined) return;
    await deps.outbox.add(
      'status',
      {
        channel: run.channel,
        message: { text, tone: 'neutral' },
        replaceKey: `status.${run.runId}`,
        version: Date.now(),
        ...(run.thread === undefined ? {} : { thread: run.thread }),
      },
      { jobId: `${run.runId}.status.${step}` },
    );
  };
  try {
    const scope = currentScope(run, deps);
    if (typeof scope === 'string') {
      await status('refused', scope);
      return { answer: scope, specialists: [], proposals: [], costUsd: 0 };
    }
    const result = await answer(job, token, run, deps, scope, status);
    await status(
      'done',
      `Answered below (${result.specialists.length === 0 ? 'no specialists asked' : `asked ${result.specialists.join(', ')}`}).`,
    );
    if (run.channel !== undefined && deps.spend !== undefined && result.costUsd > 0) {
      await deps.spend.ledger.add(run.channel, result.costUsd, run.runId);
    }
    if (run.channel !== undefined) {
      // The answer is cut to fit before the proposals are listed, so the list is never lost.
      const list =
        result.proposals.length === 0
          ? ''
          : `\n\nProposals awaiting approval: ${result.proposals.join(', ')}`;
      const { headline, body } = splitHeadline(redactText(result.answer));
      const text = `${body.slice(0, 3000 - list.length - 1)}${list}`.trim();
      await deps.outbox.add(
        'answer',
        {
          channel: run.channel,
          message: {
            headline,
            ...(text === '' ? {} : { text }),
            tone: 'info',
            footer: `asked by ${run.requester.slice(run.requester.indexOf(':') + 1)}`,
          },
          ...(run.thread === undefined ? {} : { thread: run.thread }),
        },
        { jobId: `${run.runId}.answer` },
      );
      // Each proposal gets its card under the answer, for the channel's approvers.
      await showProposals(
        result.proposals,
        {
          channel: run.channel,
          ...(run.thread === undefined ? {} : { thread: run.thread }),
          requester: run.requester,
          cluster: run.cluster,
          conversation:
            run.conversation ?? `${run.channel}:${run.thread ?? run.runId}`.slice(0, 250),
        },
        {
          proposals: deps.proposals,
          outbox: deps.outbox,
          autonomy: deps.autonomy,
          dashboardUrl: deps.dashboardUrl,
        },
      );
    }
    if (run.conversation !== undefined && deps.conversations !== undefined)
      await deps.conversations.record(run.conversation, run.runId, {
        question: run.question,
        answer: redactText(result.answer),
      });
    return result;
  } catch (error) {
    // The orchestrator waits for its specialists without holding this worker slot.
    if (error instanceof SuspendRun) throw new WaitingChildrenError();
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

/**
 * An answer's first line as the message's headline, read first on a phone and in notifications;
 * the agents are asked to lead with one. Markdown heading and bold marks are dropped from it.
 */
export function splitHeadline(answer: string): { headline: string; body: string } {
  const trimmed = answer.trim();
  const end = trimmed.indexOf('\n');
  const first = (end < 0 ? trimmed : trimmed.slice(0, end))
    .replace(/^#{1,6}\s+/, '')
    .replace(/\*\*/g, '')
    .trim();
  const rest = end < 0 ? '' : trimmed.slice(end + 1).trim();
  if (first === '') return { headline: 'Answer', body: rest };
  if (first.length <= 200) return { headline: first, body: rest };
  // A first line too long for a headline stays whole in the text.
  return {
    headline: `${first.slice(0, first.lastIndexOf(' ', 150) + 1 || 150).trim()} …`,
    body: trimmed,
  };
}

type Scope = { cluster: string; namespaces: string[]; maxTier: 'safe' | 'confirm' };

/** The channel's binding as the config has it now (it may have changed since the bot queued). */
function currentScope(run: AskRunJob, deps: EngineDeps): Scope | string {
  if (run.channel === undefined || deps.bindings === undefined) {
    return { cluster: run.cluster, namespaces: [...run.namespaces], maxTier: 'confirm' };
  }
  const binding = bindingFor(run.channel, deps.bindings);
  if (binding === undefined || !binding.clusters.includes(run.cluster)) {
    return 'This channel is no longer bound to that cluster, so I stopped. An operator can bind it in the config file.';
  }
  return { cluster: run.cluster, namespaces: [...binding.namespaces], maxTier: binding.maxTier };
}

async function answer(
  job: Job,
  token: string | undefined,
  run: AskRunJob,
  deps: EngineDeps,
  scope: Scope,
  status: (step: string, text: string) => Promise<void>,
): Promise<AskResult> {
  const kube = { cluster: deps.clusters.get(scope.cluster), namespaces: scope.namespaces };
  const history =
    run.conversation === undefined || deps.conversations === undefined
      ? []
      : await deps.conversations.history(run.conversation);
  if (deps.client === undefined) {
    await status('start', 'Looking into it with the analyzers…');
    const offline = await answerOffline(
      {
        kube,
        proposals: deps.proposals.withLock(lockOf(job, token)),
        autonomy: deps.autonomy,
        maxTier: scope.maxTier,
      },
      run.runId,
      run.question,
      history.map((e) => e.question).reverse(),
    );
    return {
      answer: offline.answer,
      specialists: offline.specialists.map((s) => s.agent),
      proposals: offline.specialists.flatMap((s) => s.proposals),
      costUsd: 0,
    };
  }
  // The daily budget is checked when a run starts, not when it resumes after its specialists.
  const fresh = (await deps.checkpoints.load(run.runId)) === undefined;
  const spent =
    run.channel === undefined || deps.spend === undefined
      ? 0
      : await deps.spend.ledger.today(run.channel);
  if (fresh && deps.spend !== undefined && spent >= deps.spend.dailyLimitUsd) {
    return {
      answer: `This channel has used its model budget for today ($${spent.toFixed(2)} of $${deps.spend.dailyLimitUsd.toFixed(2)}), so I did not ask the agents. Commands such as diagnose still work; the budget resets at midnight UTC (budgets.channelDailyCostUsd in the config file).`,
      specialists: [],
      proposals: [],
      costUsd: 0,
    };
  }
  await status('start', 'Looking into it…');
  const engine = engineFor(deps, deps.client, kube, scope.maxTier, lockOf(job, token));
  const queued = queueDelegator(job, token, deps.runs, {
    runId: run.runId,
    cluster: scope.cluster,
    namespaces: scope.namespaces,
    maxTier: scope.maxTier,
  });
  const delegate: typeof queued = async (callId, tasks) => {
    await status(
      `delegate.${callId.replace(/[^A-Za-z0-9_-]/g, '')}`,
      `Asking ${tasks.map((t) => t.agent).join(', ')}…`,
    );
    return queued(callId, tasks);
  };
  const done = await runOrchestrator(
    engine,
    { runId: run.runId, question: withContext(run.question, history) },
    delegate,
  );
  const specialists = await specialistResults(job);
  return {
    answer: done.answer,
    specialists: specialists.map((s) => s.agent),
    proposals: specialists.flatMap((s) => s.proposals),
    costUsd: done.state.usage.costUsd + specialists.reduce((sum, s) => sum + s.usage.costUsd, 0),
  };
}

export async function processAgentRun(
  job: Job,
  token: string | undefined,
  run: AgentRunJob,
  deps: EngineDeps,
): Promise<SpecialistResult> {
  if (deps.client === undefined) throw new Error('a specialist run needs a model client');
  const kube = { cluster: deps.clusters.get(run.cluster), namespaces: run.namespaces };
  return runSpecialist(engineFor(deps, deps.client, kube, run.maxTier, lockOf(job, token)), {
    runId: run.runId,
    agent: run.agent,
    task: run.task,
    model: run.model,
  });
}

function engineFor(
  deps: EngineDeps,
  client: Anthropic,
  kube: EngineContext['kube'],
  maxTier: 'safe' | 'confirm',
  lock: JobLock | undefined,
): EngineContext {
  return {
    maxTier,
    agents: deps.agents,
    client,
    models: deps.models,
    kube,
    checkpoints: deps.checkpoints.withLock(lock),
    proposals: deps.proposals.withLock(lock),
    autonomy: deps.autonomy,
    budget: deps.budget,
    log: deps.log,
    ...(deps.onUsage === undefined ? {} : { onUsage: deps.onUsage }),
  };
}

/** The lock BullMQ holds for this job on this worker's behalf (`<queue key>:<job id>:lock`). */
function lockOf(job: Job, token: string | undefined): JobLock | undefined {
  return token === undefined || job.id === undefined
    ? undefined
    : { key: `${job.queueQualifiedName}:${job.id}:lock`, token };
}

async function specialistResults(job: Job): Promise<SpecialistResult[]> {
  return Object.values((await job.getChildrenValues()) as Record<string, SpecialistResult>);
}
