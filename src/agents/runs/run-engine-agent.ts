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
  request: {
    runId: string;
    task: string;
    choice: ModelChoice;
    tools: readonly AgentTool[];
    /** Evidence for the first turn, after the task: gathered only when the run is new. */
    evidence?: () => Promise<string>;
  },
): Promise<RunState> {
  const state =
    (await engine.checkpoints.load(request.runId)) ?? (await firstState(engine, request));
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
      onBudgetStop: (budget) => engine.onBudgetStop?.(agent.name, budget),
    },
    state,
  );
}

/**
 * A new run's state. With evidence, it is checkpointed at once: a run resumed before its first
 * model call finds the same first turn and reads nothing again.
 */
async function firstState(
  engine: EngineContext,
  request: { runId: string; task: string; evidence?: () => Promise<string> },
): Promise<RunState> {
  if (request.evidence === undefined) return newRunState(request.task);
  const state = newRunState(`${request.task}\n\n${await request.evidence()}`);
  await engine.checkpoints.save(request.runId, state);
  return state;
}
