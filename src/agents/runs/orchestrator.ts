import { z } from 'zod';
import { defineTool } from '../../tools/tool.ts';
import { MODEL_TIERS, type ModelTier } from '../models.ts';
import { orchestratorOf } from '../registry.ts';
import type { AgentTool, ToolCall } from '../tool-use/model-tools.ts';
import type { RunState } from '../tool-use/state.ts';
import type { Delegator, EngineContext, SpecialistResult } from './context.ts';
import { runEngineAgent } from './run-engine-agent.ts';

/**
 * The orchestrator's run: its tools are `delegate` (one or more specialists at once, through the
 * delegator) and `reply` (the answer, which ends the run). Checkpointed like any run, so a
 * resumed orchestrator that had delegated asks the delegator again and finds the results.
 */
type OrchestratorResult = {
  state: RunState;
  answer: string;
  specialists: SpecialistResult[];
};

export async function runOrchestrator(
  engine: EngineContext,
  request: { runId: string; question: string; workflowModel?: ModelTier | undefined },
  delegate: Delegator,
): Promise<OrchestratorResult> {
  const agent = orchestratorOf(engine.agents);
  const specialists: SpecialistResult[] = [];
  const done = await runEngineAgent(engine, agent, {
    runId: request.runId,
    task: request.question,
    choice: { workflow: request.workflowModel, agent: agent.model },
    tools: [delegateTool(engine, agent.delegates ?? [], delegate, specialists), replyTool],
  });
  return { state: done, answer: done.answer ?? '', specialists };
}

/** Delegation reads no namespace itself: each specialist's calls are checked in its own run. */
const NOTHING = () => ({ namespaces: [] });

/** `delegate`: the specialists' reports, each result also kept in `specialists`. */
function delegateTool(
  engine: EngineContext,
  names: readonly string[],
  delegate: Delegator,
  specialists: SpecialistResult[],
): AgentTool {
  const catalogue = names
    .map((name) => `- ${name}: ${engine.agents.get(name)?.description ?? ''}`)
    .join('\n');
  return defineTool({
    name: 'delegate',
    description: `Ask one or more specialists, in parallel, each with a self-contained task. Returns their reports.\nSpecialists:\n${catalogue}`,
    verb: 'delegate',
    input: delegationInput(names),
    scope: NOTHING,
    async run(call: ToolCall, input) {
      const results = await delegate(call.id, input.tasks);
      specialists.push(...results);
      return {
        content: results
          .map(
            (r) =>
              `## ${r.agent}\n${r.answer || '(no answer)'}${r.proposals.length > 0 ? `\nProposals awaiting approval: ${r.proposals.join(', ')}` : ''}`,
          )
          .join('\n\n'),
        isError: false,
      };
    },
  });
}

function delegationInput(names: readonly string[]) {
  return z.object({
    tasks: z
      .array(
        z.object({
          agent: z.enum(names as [string, ...string[]]).describe('Which specialist'),
          task: z
            .string()
            .min(10)
            .max(4000)
            .describe(
              'Everything the specialist needs: namespace, object, symptom, what to report',
            ),
          model: z
            .enum(MODEL_TIERS)
            .optional()
            .describe('haiku for status, sonnet for analysis, opus for cascading failures'),
        }),
      )
      .min(1)
      .max(4),
  });
}

/** `reply`: the answer, which ends the run. */
const replyTool: AgentTool = defineTool({
  name: 'reply',
  description: 'Send the final answer to the person who asked. Ends the run.',
  verb: 'reply',
  input: z.object({
    // The limit guides the model; a longer answer is still the answer, not sent back.
    text: z
      .string()
      .min(1)
      .meta({ maxLength: 6000 })
      .describe('Headline, cause, evidence, next steps'),
  }),
  scope: NOTHING,
  async run(_call: ToolCall, input) {
    return { content: 'sent', isError: false, final: input.text };
  },
});
