import { CoxswainError } from '../../errors.ts';
import type { ModelTier } from '../models.ts';
import { gitTools } from '../tool-use/git-tools.ts';
import { kubeTools } from '../tool-use/kube-tools.ts';
import { metricsTools } from '../tool-use/metrics-tools.ts';
import { analyzerEvidence, usesAnalyzers } from './analyzers-first.ts';
import type { EngineContext, SpecialistResult } from './context.ts';
import { runEngineAgent } from './run-engine-agent.ts';

/** An engine without Prometheus or Alertmanager: the metrics tools say they are not configured. */
const NO_MONITORING = { prometheusUrl: undefined, alertmanagerUrl: undefined };

/**
 * One specialist's run on one task, resumed from its checkpoint when it has one: a finished run
 * returns its answer again without a model call or a tool call. A new run of a specialist that
 * reads pods or events starts with the analyzers' findings as evidence in its first turn.
 */
export async function runSpecialist(
  engine: EngineContext,
  request: { runId: string; agent: string; task: string; model?: ModelTier | undefined },
): Promise<SpecialistResult> {
  const agent = engine.agents.get(request.agent);
  if (agent === undefined || agent.tools.includes('delegate')) {
    throw new CoxswainError('config_invalid', `no specialist named ${request.agent}`);
  }
  const proposing = {
    runId: request.runId,
    agent: agent.name,
    proposals: engine.proposals,
    autonomy: engine.autonomy,
    maxTier: engine.maxTier,
    cluster: engine.kube.cluster.name,
  };
  const done = await runEngineAgent(engine, agent, {
    runId: request.runId,
    task: request.task,
    choice: { delegation: request.model, agent: agent.model },
    tools: [
      ...kubeTools(agent.tools, { ...proposing, context: engine.kube, git: engine.git }),
      ...metricsTools(agent.tools, engine.monitoring ?? NO_MONITORING, proposing),
      ...gitTools(agent.tools, engine.git, proposing),
    ],
    ...(usesAnalyzers(agent.tools)
      ? {
          evidence: () =>
            analyzerEvidence(
              engine.kube,
              request.task,
              engine.log.child({ runId: request.runId, agent: agent.name }),
            ),
        }
      : {}),
  });
  return {
    agent: agent.name,
    runId: request.runId,
    answer: done.answer ?? '',
    proposals: await engine.proposals.ofRun(request.runId),
    usage: done.usage,
  };
}
