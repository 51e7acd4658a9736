import type Anthropic from '@anthropic-ai/sdk';
import type { Config } from '../../config/index.ts';
import type { ModelIds } from '../../config/model-ids.ts';
import type { Autonomy } from '../../config/policy-schema.ts';
import type { Logger } from '../../observability/logger.ts';
import { type GitRepository, openRepository } from '../../tools/git/repository.ts';
import type { MetricsContext } from '../../tools/metrics/context.ts';
import { type AgentRegistry, loadAgents } from '../registry.ts';
import type { Budget } from '../tool-use/run-agent.ts';
import { AGENT_TOOL_NAMES } from '../tool-use/tool-names.ts';
import { runBudget } from './budget.ts';

/** What the engine takes from the config, wherever it runs. */
type EngineConfig = Pick<
  Config,
  'anthropic' | 'models' | 'autonomy' | 'budgets' | 'metrics' | 'promptsDir'
> &
  Partial<Pick<Config, 'gitops'>>;

/** The engine's parts that do not depend on where it runs: the worker and `coxswain ask` alike. */
type EngineBase = {
  agents: AgentRegistry;
  /** Undefined without ANTHROPIC_API_KEY: answers come from the analyzers. */
  client: Anthropic | undefined;
  models: ModelIds;
  autonomy: Autonomy;
  budget: Budget;
  /** Where the metrics tools read from (PROMETHEUS_URL, ALERTMANAGER_URL). */
  monitoring: MetricsContext;
  log: Logger;
  /** The GitOps repository's clone, when the config file names one. */
  git: GitRepository | undefined;
};

/** The agents from PROMPTS_DIR, the model client, the models, the policy and the run budget. */
export async function buildEngine(config: EngineConfig, log: Logger): Promise<EngineBase> {
  return {
    agents: loadAgents(config.promptsDir, AGENT_TOOL_NAMES),
    client: await modelClient(config.anthropic),
    models: config.models,
    autonomy: config.autonomy,
    budget: runBudget(config.budgets),
    monitoring: {
      prometheusUrl: config.metrics.prometheusUrl,
      alertmanagerUrl: config.metrics.alertmanagerUrl,
    },
    log,
    git: config.gitops === undefined ? undefined : openRepository(config.gitops),
  };
}

/**
 * The Anthropic client with ANTHROPIC_API_KEY; without one, answers come from the analyzers and
 * the SDK (several MiB resident) is never loaded.
 */
async function modelClient(settings: EngineConfig['anthropic']): Promise<Anthropic | undefined> {
  if (settings.apiKey === undefined) return undefined;
  const { createModelClient } = await import('../llm/client.ts');
  return createModelClient({ apiKey: settings.apiKey, baseUrl: settings.baseUrl });
}
