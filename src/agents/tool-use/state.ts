import { z } from 'zod';

/**
 * What a run has done so far, checkpointed after each model response and each tool result: the
 * conversation, the results of the current batch of tool calls, usage and cost, and the answer
 * once there is one. A run resumed from it repeats no finished tool call.
 */
export const ToolOutcome = z.object({
  content: z.string(),
  isError: z.boolean(),
  /** Set by a tool that ends the run with this answer (the orchestrator's `reply`). */
  final: z.string().optional(),
});
export type ToolOutcome = z.infer<typeof ToolOutcome>;

const Usage = z.object({
  input: z.number().default(0),
  output: z.number().default(0),
  cacheRead: z.number().default(0),
  cacheWrite: z.number().default(0),
  costUsd: z.number().default(0),
  calls: z.number().default(0),
});

export const RunState = z.object({
  /** The Messages API conversation, as sent (user and assistant turns). */
  messages: z.array(z.object({ role: z.enum(['user', 'assistant']), content: z.unknown() })),
  /** Results of the latest batch of tool calls that have finished, by tool_use id. */
  results: z.record(z.string(), ToolOutcome).default({}),
  usage: Usage.default({ input: 0, output: 0, cacheRead: 0, cacheWrite: 0, costUsd: 0, calls: 0 }),
  answer: z.string().optional(),
  /** Why the run stopped early, when a budget stopped it. */
  stopped: z.enum(['turns', 'tokens', 'cost']).optional(),
});
export type RunState = z.infer<typeof RunState>;

export function newRunState(task: string): RunState {
  return RunState.parse({ messages: [{ role: 'user', content: task }] });
}
