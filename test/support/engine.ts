import { createModelClient } from '../../src/agents/llm/client.ts';
import { loadAgents, PROMPTS_DIR } from '../../src/agents/registry.ts';
import type { EngineContext } from '../../src/agents/runs/context.ts';
import { MemoryCheckpoints } from '../../src/agents/tool-use/checkpoints.ts';
import { AGENT_TOOL_NAMES } from '../../src/agents/tool-use/tool-names.ts';
import { MemoryProposals } from '../../src/approvals/proposal-store.ts';
import { DEFAULT_MODEL_IDS } from '../../src/config/model-ids.ts';
import { DEFAULT_AUTONOMY } from '../../src/config/policy-schema.ts';
import { createLogger } from '../../src/observability/logger.ts';
import type { Cluster } from '../../src/tools/kubernetes/cluster.ts';

/**
 * The agent engine in this process, as `coxswain ask` runs it: the shipped prompts, the cluster
 * (every namespace), a local Messages API at `baseUrl` as the model, checkpoints and proposals in
 * memory, budgets out of the way.
 */
export function inProcessEngine(cluster: Cluster, baseUrl: string): EngineContext {
  return {
    agents: loadAgents(PROMPTS_DIR, AGENT_TOOL_NAMES),
    client: createModelClient({ apiKey: 'sk-ant-bench', baseUrl }),
    models: DEFAULT_MODEL_IDS,
    kube: { cluster, namespaces: ['*'] },
    checkpoints: new MemoryCheckpoints(),
    proposals: new MemoryProposals(),
    autonomy: DEFAULT_AUTONOMY,
    budget: { maxTurns: 20, maxTokens: 1_000_000, maxCostUsd: 100 },
    log: createLogger('silent'),
    maxTier: 'confirm',
  };
}
