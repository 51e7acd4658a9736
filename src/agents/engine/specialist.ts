import { CoxswainError } from '../../errors.ts';
import { kubeTools } from '../loop/kube-tools.ts';
import { runAgent } from '../loop/run-agent.ts';
import { newRunState } from '../loop/state.ts';
import { chooseTier, type ModelTier, modelId } from '../models.ts';
import type { EngineContext, SpecialistResult } from './context.ts';

/**
 * One specialist's run on one task, resumed from its checkpoint when it has one: a finished run
 * returns its answer again without a model call or a tool call.
 */
export async function runSpecialist(
  engine: EngineContext,
  request: { runId: string; agent: string; task: string; model?: ModelTier | undefined },
): Promise<SpecialistResult> {
  const agent = engine.agents.get(request.agent);
  if (agent === undefined || agent.tools.includes('delegate')) {
    throw new CoxswainError('config_invalid', `no specialist named ${request.agent}`);
  }
  const choice = { delegation: request.model, agent: agent.model };
  const state = (await engine.checkpoints.load(request.runId)) ?? newRunState(request.task);
  const done = await runAgent(
    {
      client: engine.client,
      model: modelId(choice, engine.models),
      tier: chooseTier(choice),
      system: agent.prompt,
      tools: kubeTools(agent.tools, {
        context: engine.kube,
        runId: request.runId,
        agent: agent.name,
        proposals: engine.proposals,
        autonomy: engine.autonomy,
        ...(engine.maxTier === undefined ? {} : { maxTier: engine.maxTier }),
      }),
      budget: engine.budget,
      checkpoint: (s) => engine.checkpoints.save(request.runId, s),
      onUsage: (tokens, cost) => engine.onUsage?.(agent.name, tokens, cost),
    },
    state,
  );
  return {
    agent: agent.name,
    runId: request.runId,
    answer: done.answer ?? '',
    proposals: await engine.proposals.ofRun(request.runId),
    usage: done.usage,
  };
}
