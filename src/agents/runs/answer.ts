import type Anthropic from '@anthropic-ai/sdk';
import type { Job } from 'bullmq';
import type { AskRunJob } from '../../queue/jobs.ts';
import { orchestratorOf } from '../registry.ts';
import { BudgetHeld } from './budget.ts';
import type { EngineContext, SpecialistResult } from './context.ts';
import { type Exchange, withContext } from './conversations.ts';
import { answerOffline } from './offline.ts';
import { runOrchestrator } from './orchestrator.ts';
import { type EngineDeps, engineFor, lockOf, specialistResults } from './process-runs.ts';
import { queueDelegator } from './queue-delegator.ts';

/**
 * A question's answer from the engine: the orchestrator and its specialists (as child jobs), or
 * the analyzers when no model is configured. Progress goes to `status`, which the caller turns
 * into chat messages: the engine itself never posts to chat.
 */
export type AskResult = {
  answer: string;
  specialists: string[];
  proposals: string[];
  costUsd: number;
  /** What the model did for it; unset when the analyzers answered. */
  model?: { calls: number; tokens: number };
};

/** The cluster and namespaces a question may look at, and the channel's highest tier. */
export type AskScope = { cluster: string; namespaces: string[]; maxTier: 'safe' | 'confirm' };

export type PostStatus = (step: string, text: string) => Promise<void>;

type Question = {
  kube: EngineContext['kube'];
  job: Job;
  token: string | undefined;
  run: AskRunJob;
  scope: AskScope;
  status: PostStatus;
};

export async function answerQuestion(
  job: Job,
  token: string | undefined,
  run: AskRunJob,
  deps: EngineDeps,
  scope: AskScope,
  status: PostStatus,
): Promise<AskResult> {
  const kube = { cluster: deps.clusters.get(scope.cluster), namespaces: scope.namespaces };
  const question = { kube, job, token, run, scope, status };
  const history =
    run.conversation === undefined || deps.conversations === undefined
      ? []
      : await deps.conversations.history(run.conversation);
  if (deps.client === undefined) return answerByAnalyzers(question, deps, history);
  // The daily budget is held when a run starts, not when it resumes after its specialists.
  const fresh = (await deps.checkpoints.load(run.runId)) === undefined;
  if (fresh && run.channel !== undefined && deps.spend !== undefined) {
    const limit = deps.spend.dailyLimitUsd;
    const held = await deps.spend.ledger.reserve(
      run.channel,
      run.runId,
      deps.budget.maxCostUsd,
      limit,
    );
    // Not spent yet, only held by runs in flight: wait for them rather than refuse.
    if (!held.ok && held.spentUsd < limit) throw new BudgetHeld();
    if (!held.ok) {
      deps.onBudgetStop?.(orchestratorOf(deps.agents).name, 'channel_daily');
      return {
        answer: `This channel has used its model budget for today ($${held.committedUsd.toFixed(2)} of $${limit.toFixed(2)}), so I did not ask the agents. Commands such as diagnose still work; the budget resets at midnight UTC (budgets.channelDailyCostUsd in the config file).`,
        specialists: [],
        proposals: [],
        costUsd: 0,
      };
    }
  }
  return answerByAgents(question, deps, deps.client, history);
}

async function answerByAnalyzers(
  { kube, job, token, run, scope, status }: Question,
  deps: EngineDeps,
  history: readonly Exchange[],
): Promise<AskResult> {
  await status('start', 'Looking into it with the analyzers…');
  const offline = await answerOffline(
    {
      kube: kube,
      proposals: deps.proposals.withLock(lockOf(job, token)),
      autonomy: deps.autonomy,
      maxTier: scope.maxTier,
      log: deps.log,
      ...(deps.monitoring === undefined ? {} : { monitoring: deps.monitoring }),
      ...(deps.git === undefined ? {} : { git: deps.git }),
    },
    run.runId,
    run.question,
    history.map((e) => e.question).reverse(),
    run.declined ?? [],
  );
  return {
    answer: offline.answer,
    specialists: offline.specialists.map((s) => s.agent),
    proposals: offline.specialists.flatMap((s) => s.proposals),
    costUsd: 0,
  };
}

async function answerByAgents(
  { kube, job, token, run, scope, status }: Question,
  deps: EngineDeps,
  client: Anthropic,
  history: readonly Exchange[],
): Promise<AskResult> {
  await status('start', 'Looking into it…');
  const engine = engineFor(deps, client, kube, scope.maxTier, lockOf(job, token));
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
    model: modelUse([done.state.usage, ...specialists.map((s) => s.usage)]),
  };
}

type Usage = SpecialistResult['usage'];

/** Model calls and tokens (input, output and cached) of the orchestrator and its specialists. */
function modelUse(usages: readonly Usage[]): { calls: number; tokens: number } {
  return usages.reduce(
    (sum, u) => ({
      calls: sum.calls + (u.calls ?? 0),
      tokens: sum.tokens + u.input + u.output + u.cacheRead + u.cacheWrite,
    }),
    { calls: 0, tokens: 0 },
  );
}
