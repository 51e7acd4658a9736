import { chooseTier, type ModelChoice, modelId } from '../models.ts';
import type { Agent } from '../registry.ts';
import type { AgentTool } from '../tool-use/model-tools.ts';
import { runAgent } from '../tool-use/run-agent.ts';
import { newRunState, type RunState } from '../tool-use/state.ts';
import type { EngineContext } from './context.ts';

/**
 * One agent's run in the engine: its model from the choice, its prompt, the engine's budget,
 * checkpoints under the run's id (resuming when there is one) and usage reported per agent.
 */
export async function runEngineAgent(
  engine: EngineContext,
  agent: Agent,
  request: { runId: string; task: string; choice: ModelChoice; tools: readonly AgentTool[] },
): Promise<RunState> {
  const state = (await engine.checkpoints.load(request.runId)) ?? newRunState(request.task);
  return runAgent(
    {
      client: engine.client,
      model: modelId(request.choice, engine.models),
      tier: chooseTier(request.choice),
      system: agent.prompt,
      tools: request.tools,
      scope: { cluster: engine.kube.cluster.name, namespaces: engine.kube.namespaces },
      budget: engine.budget,
      checkpoint: (s) => engine.checkpoints.save(request.runId, s),
      log: engine.log.child({ runId: request.runId, agent: agent.name }),
      onUsage: (tokens, cost) => engine.onUsage?.(agent.name, tokens, cost),
    },
    state,
  );
}
