import type Anthropic from '@anthropic-ai/sdk';
import { orchestratorOf } from '../agents/registry.ts';
import type { Delegator, EngineContext, SpecialistResult } from '../agents/runs/context.ts';
import { inlineDelegator } from '../agents/runs/inline-delegator.ts';
import { answerOffline } from '../agents/runs/offline.ts';
import { runOrchestrator } from '../agents/runs/orchestrator.ts';
import { runSpecialist } from '../agents/runs/specialist.ts';
import { diagnosisOutputs } from './actions/causes.ts';
import type { AgentAnswer, AgentRequest } from './run-step.ts';

/**
 * An agent step's run: the orchestrator (delegating to its specialists) or the named specialist,
 * at the step's model tier, checkpointed under the step's own run id so a worker that dies
 * mid-step resumes it without repeating a finished call. Without a model the analyzers answer,
 * and their findings give the step's outputs (`cause`, `pod`, `workload`, `memory_limit`…).
 */
type OfflineEngine = Parameters<typeof answerOffline>[0];

export function offlineAgent(engine: OfflineEngine) {
  return async (request: AgentRequest): Promise<AgentAnswer> => {
    const answer = await answerOffline(engine, request.runId, request.task);
    return {
      answer: answer.answer,
      proposals: answer.specialists.flatMap((s) => s.proposals),
      outputs: {
        ...diagnosisOutputs(answer.findings, answer.namespace),
        answer: answer.answer,
      },
    };
  };
}

export function modelAgent(
  engine: EngineContext & { client: Anthropic },
  /** How the orchestrator's delegation runs: child jobs in a worker, at once in the terminal. */
  delegatorFor: (runId: string) => Delegator = (runId) => inlineDelegator(engine, runId),
  /** The specialists' results when they ran as child jobs (a resumed run holds none itself). */
  childResults?: () => Promise<SpecialistResult[]>,
) {
  return async (request: AgentRequest): Promise<AgentAnswer> => {
    if (request.agent === orchestratorOf(engine.agents).name) {
      const done = await runOrchestrator(
        engine,
        { runId: request.runId, question: request.task, workflowModel: request.model },
        delegatorFor(request.runId),
      );
      const specialists = childResults === undefined ? done.specialists : await childResults();
      return {
        answer: done.answer,
        proposals: specialists.flatMap((s) => s.proposals),
        costUsd:
          done.state.usage.costUsd + specialists.reduce((sum, s) => sum + s.usage.costUsd, 0),
      };
    }
    const done = await runSpecialist(engine, request);
    return { answer: done.answer, proposals: done.proposals, costUsd: done.usage.costUsd };
  };
}
