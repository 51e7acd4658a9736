import type Anthropic from '@anthropic-ai/sdk';
import type { Job, Queue } from 'bullmq';
import type { ProposalStore } from '../../approvals/proposal-store.ts';
import type { ModelIds } from '../../config/model-ids.ts';
import type { Autonomy, Binding } from '../../config/policy-schema.ts';
import type { Logger } from '../../observability/logger.ts';
import type { AgentRunJob, RunJobInput } from '../../queue/jobs.ts';
import type { Clusters } from '../../tools/kubernetes/cluster.ts';
import type { MetricsContext } from '../../tools/metrics/context.ts';
import type { AgentRegistry } from '../registry.ts';
import type { Checkpoints, JobLock } from '../tool-use/checkpoints.ts';
import type { Budget } from '../tool-use/run-agent.ts';
import type { ChannelSpend } from './budget.ts';
import type { EngineContext, SpecialistResult } from './context.ts';
import type { ConversationLog } from './conversations.ts';
import { runSpecialist } from './specialist.ts';

/**
 * What the worker runs the engine with: the orchestrator's run (`ask`, answered in
 * worker/answer-question.ts) and each specialist's (`agent`, a child job, here). Both resume from
 * their checkpoints when a worker dies.
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
  budget: Budget;
  monitoring?: MetricsContext;
  runs: Queue<RunJobInput>;
  /** Spend per channel per day, and its limit. */
  spend?: { ledger: ChannelSpend; dailyLimitUsd: number };
  /** Earlier exchanges of a thread or DM, for follow-ups. */
  conversations?: ConversationLog;
  /** The bindings as configured now, to check a queued question's channel again. */
  bindings: readonly Binding[];
  onUsage?: EngineContext['onUsage'];
  onBudgetStop?: EngineContext['onBudgetStop'];
  /** The root of each run's logger. */
  log: Logger;
  /** The GitOps repository's clone, when the config file names one. */
  git?: EngineContext['git'];
};

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

export function engineFor(
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
    git: deps.git,
    checkpoints: deps.checkpoints.withLock(lock),
    proposals: deps.proposals.withLock(lock),
    autonomy: deps.autonomy,
    budget: deps.budget,
    log: deps.log,
    ...(deps.monitoring === undefined ? {} : { monitoring: deps.monitoring }),
    ...(deps.onUsage === undefined ? {} : { onUsage: deps.onUsage }),
    ...(deps.onBudgetStop === undefined ? {} : { onBudgetStop: deps.onBudgetStop }),
  };
}

/** The lock BullMQ holds for this job on this worker's behalf (`<queue key>:<job id>:lock`). */
export function lockOf(job: Job, token: string | undefined): JobLock | undefined {
  return token === undefined || job.id === undefined
    ? undefined
    : { key: `${job.queueQualifiedName}:${job.id}:lock`, token };
}

export async function specialistResults(job: Job): Promise<SpecialistResult[]> {
  return Object.values((await job.getChildrenValues()) as Record<string, SpecialistResult>);
}
