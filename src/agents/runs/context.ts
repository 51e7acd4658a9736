import type Anthropic from '@anthropic-ai/sdk';
import type { ProposalRecords } from '../../approvals/proposal-store.ts';
import type { ModelIds } from '../../config/model-ids.ts';
import type { Autonomy } from '../../config/policy-schema.ts';
import type { Logger } from '../../observability/logger.ts';
import type { GitRepository } from '../../tools/git/repository.ts';
import type { KubeContext } from '../../tools/kubernetes/context.ts';
import type { MetricsContext } from '../../tools/metrics/context.ts';
import type { TokenUsage } from '../llm/pricing.ts';
import type { ModelTier } from '../models.ts';
import type { AgentRegistry } from '../registry.ts';
import type { CheckpointStore } from '../tool-use/checkpoints.ts';
import type { Budget } from '../tool-use/run-agent.ts';

/** What the engine runs with, whether in a worker or in `coxswain ask`. */
export type EngineContext = {
  agents: AgentRegistry;
  client: Anthropic;
  models: ModelIds;
  kube: KubeContext;
  /** Prometheus and Alertmanager for the metrics tools; unset, those tools say so. */
  monitoring?: MetricsContext;
  /** The GitOps repository's clone; unset without `gitops` in the config file. */
  git?: GitRepository | undefined;
  checkpoints: CheckpointStore;
  proposals: ProposalRecords;
  autonomy: Autonomy;
  budget: Budget;
  /** The root of each run's logger (`log.child({ runId, agent })`). */
  log: Logger;
  /** The channel's highest tier: proposals above it are refused. */
  maxTier: 'safe' | 'confirm';
  onUsage?(agent: string, tokens: TokenUsage, costUsd: number): void;
  /** A budget stopped an agent: a run's turns, tokens or cost, or the channel's day. */
  onBudgetStop?(agent: string, budget: 'turns' | 'tokens' | 'cost' | 'channel_daily'): void;
};

type Delegation = { agent: string; task: string; model?: ModelTier | undefined };

export type SpecialistResult = {
  agent: string;
  runId: string;
  answer: string;
  proposals: string[];
  usage: {
    input: number;
    output: number;
    cacheRead: number;
    cacheWrite: number;
    costUsd: number;
    /** Model calls made; unset by the analyzers, which make none. */
    calls?: number;
  };
};

/**
 * How the orchestrator's `delegate` gets its specialists run: in this process, or as child jobs
 * on the runs queue (which may suspend the orchestrator until they finish).
 */
export type Delegator = (
  callId: string,
  tasks: readonly Delegation[],
) => Promise<SpecialistResult[]>;
