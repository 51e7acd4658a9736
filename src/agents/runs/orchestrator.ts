import { z } from 'zod';
import { MODEL_TIERS, type ModelTier } from '../models.ts';
import { orchestratorOf } from '../registry.ts';
import type { AgentTool } from '../tool-use/run-agent.ts';
import type { RunState } from '../tool-use/state.ts';
import type { Delegator, EngineContext, SpecialistResult } from './context.ts';
import { runEngineAgent } from './run-engine-agent.ts';

/**
 * The orchestrator's run: its tools are `delegate` (one or more specialists at once, through the
 * delegator) and `reply` (the answer, which ends the run). Checkpointed like any run, so a
 * resumed orchestrator that had delegated asks the delegator again and finds the results.
 */
export type OrchestratorResult = {
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
  const names = agent.delegates ?? [];
  const catalogue = names
    .map((name) => `- ${name}: ${engine.agents.get(name)?.description ?? ''}`)
    .join('\n');
  const tools: AgentTool[] = [
    {
      name: 'delegate',
      description: `Ask one or more specialists, in parallel, each with a self-contained task. Returns their reports.\nSpecialists:\n${catalogue}`,
      input: z.object({
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
      }),
      async run(input, callId) {
        const parsed = (tools[0] as AgentTool).input.safeParse(input);
        if (!parsed.success) {
          return {
            content: `invalid delegation: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
            isError: true,
          };
        }
        const { tasks } = parsed.data as {
          tasks: { agent: string; task: string; model?: ModelTier }[];
        };
        const results = await delegate(callId, tasks);
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
    },
    {
      name: 'reply',
      description: 'Send the final answer to the person who asked. Ends the run.',
      input: z.object({
        text: z.string().min(1).max(6000).describe('Headline, cause, evidence, next steps'),
      }),
      async run(input) {
        const parsed = z.object({ text: z.string().min(1) }).safeParse(input);
        if (!parsed.success) return { content: 'reply needs text', isError: true };
        return { content: 'sent', isError: false, final: parsed.data.text };
      },
    },
  ];
  const done = await runEngineAgent(engine, agent, {
    runId: request.runId,
    task: request.question,
    choice: { workflow: request.workflowModel, agent: agent.model },
    tools,
  });
  return { state: done, answer: done.answer ?? '', specialists };
}
