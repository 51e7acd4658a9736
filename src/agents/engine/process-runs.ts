import type Anthropic from '@anthropic-ai/sdk';
import { type Job, type Queue, WaitingChildrenError } from 'bullmq';
import type { ProposalRecords } from '../../approvals/proposal-store.ts';
import { redactText } from '../../policy/redact.ts';
import type { Autonomy } from '../../policy/schema.ts';
import type { AgentRunJob, AskRunJob, OutboxJobInput, RunJobInput } from '../../queue/jobs.ts';
import type { Clusters } from '../../tools/kubernetes/cluster.ts';
import type { CheckpointStore } from '../loop/checkpoints.ts';
import { type Budget, SuspendRun } from '../loop/run-agent.ts';
import type { ModelIds } from '../models.ts';
import type { AgentRegistry } from '../registry.ts';
import type { ChannelSpend } from './budget.ts';
import type { EngineContext, SpecialistResult } from './context.ts';
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
  checkpoints: CheckpointStore;
  proposals: ProposalRecords;
  autonomy: Autonomy;
  budget: Budget;
  runs: Queue<RunJobInput>;
  outbox: Queue<OutboxJobInput>;
  /** Spend per channel per day, and its limit. */
  spend?: { ledger: ChannelSpend; dailyLimitUsd: number };
  onUsage?: EngineContext['onUsage'];
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
  const kube = { cluster: deps.clusters.get(run.cluster), namespaces: run.namespaces };
  // One status message per run, edited as the run goes; each step is posted once (job ids).
  const status = async (step: string, text: string) => {
    if (run.channel === undefined) return;
    await deps.outbox.add(
      'status',
      {
        channel: run.channel,
        message: { text, tone: 'neutral' },
        replaceKey: `status.${run.runId}`,
      },
      { jobId: `${run.runId}.status.${step}` },
    );
  };
  await status(
    'start',
    deps.client === undefined ? 'Looking into it with the analyzers…' : 'Looking into it…',
  );
  let result: AskResult;
  const spent =
    run.channel === undefined || deps.spend === undefined
      ? 0
      : await deps.spend.ledger.today(run.channel);
  if (deps.client !== undefined && deps.spend !== undefined && spent >= deps.spend.dailyLimitUsd) {
    result = {
      answer: `This channel has used its model budget for today ($${spent.toFixed(2)} of $${deps.spend.dailyLimitUsd.toFixed(2)}), so I did not ask the agents. Commands such as diagnose still work; the budget resets at midnight UTC (budgets.channelDailyCostUsd in the config file).`,
      specialists: [],
      proposals: [],
      costUsd: 0,
    };
  } else if (deps.client === undefined) {
    const offline = await answerOffline(
      { kube, proposals: deps.proposals, autonomy: deps.autonomy },
      run.runId,
      run.question,
    );
    result = {
      answer: offline.answer,
      specialists: offline.specialists.map((s) => s.agent),
      proposals: offline.specialists.flatMap((s) => s.proposals),
      costUsd: 0,
    };
  } else {
    const engine = engineFor(deps, deps.client, kube);
    const queued = queueDelegator(job, token, deps.runs, {
      runId: run.runId,
      cluster: run.cluster,
      namespaces: run.namespaces,
    });
    const delegate: typeof queued = async (callId, tasks) => {
      const step = `delegate.${callId.replace(/[^A-Za-z0-9_-]/g, '')}`;
      await status(step, `Asking ${tasks.map((t) => t.agent).join(', ')}…`);
      return queued(callId, tasks);
    };
    try {
      const done = await runOrchestrator(
        engine,
        { runId: run.runId, question: run.question },
        delegate,
      );
      const specialists = await specialistResults(job);
      result = {
        answer: done.answer,
        specialists: specialists.map((s) => s.agent),
        proposals: specialists.flatMap((s) => s.proposals),
        costUsd:
          done.state.usage.costUsd + specialists.reduce((sum, s) => sum + s.usage.costUsd, 0),
      };
    } catch (error) {
      // The orchestrator waits for its specialists without holding this worker slot.
      if (error instanceof SuspendRun) throw new WaitingChildrenError();
      throw error;
    }
  }
  await status(
    'done',
    `Answered below (${result.specialists.length === 0 ? 'no specialists asked' : `asked ${result.specialists.join(', ')}`}).`,
  );
  if (run.channel !== undefined && deps.spend !== undefined && result.costUsd > 0) {
    await deps.spend.ledger.add(run.channel, result.costUsd);
  }
  if (run.channel !== undefined) {
    const proposals =
      result.proposals.length === 0
        ? ''
        : `\n\nProposals awaiting approval: ${result.proposals.join(', ')}`;
    await deps.outbox.add(
      'answer',
      {
        channel: run.channel,
        message: {
          text: redactText(`${result.answer}${proposals}`).slice(0, 3000),
          tone: 'info',
          footer: `asked by ${run.requester.slice(run.requester.indexOf(':') + 1)}`,
        },
      },
      { jobId: `${run.runId}.answer` },
    );
  }
  return result;
}

export async function processAgentRun(
  run: AgentRunJob,
  deps: EngineDeps,
): Promise<SpecialistResult> {
  if (deps.client === undefined) throw new Error('a specialist run needs a model client');
  const kube = { cluster: deps.clusters.get(run.cluster), namespaces: run.namespaces };
  return runSpecialist(engineFor(deps, deps.client, kube), {
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
): EngineContext {
  return {
    agents: deps.agents,
    client,
    models: deps.models,
    kube,
    checkpoints: deps.checkpoints,
    proposals: deps.proposals,
    autonomy: deps.autonomy,
    budget: deps.budget,
    ...(deps.onUsage === undefined ? {} : { onUsage: deps.onUsage }),
  };
}

async function specialistResults(job: Job): Promise<SpecialistResult[]> {
  return Object.values((await job.getChildrenValues()) as Record<string, SpecialistResult>);
}
