import type Anthropic from '@anthropic-ai/sdk';
import { UnrecoverableError } from 'bullmq';
import type { Logger } from '../../observability/logger.ts';
import { redactText } from '../../policy/redact.ts';
import { costOf, type TokenUsage } from '../llm/pricing.ts';
import type { ModelTier } from '../models.ts';
import {
  type AgentTool,
  runToolUse,
  since,
  type ToolUseBlock,
  toolDefinitions,
  toolResult,
} from './model-tools.ts';
import type { RunScope } from './refusals.ts';
import type { RunState, ToolOutcome } from './state.ts';

/**
 * Thrown by a tool that must wait for something outside the run (specialists working as child
 * jobs). Nothing of the call is recorded: when the run resumes, the call is made again and finds
 * what it waited for.
 */
export class SuspendRun extends Error {
  constructor(reason: string) {
    super(reason);
    this.name = 'SuspendRun';
  }
}

export type Budget = { maxTurns: number; maxTokens: number; maxCostUsd: number };

export type AgentRun = {
  client: Anthropic;
  model: string;
  tier: ModelTier;
  system: string;
  tools: readonly AgentTool[];
  /** The cluster and namespaces every tool call must stay inside. */
  scope: RunScope;
  budget: Budget;
  maxOutputTokens?: number;
  checkpoint(state: RunState): Promise<void>;
  /** The run's logger: one line per model call and per tool call. */
  log: Logger;
  /** Told of every model call's usage and cost, for metrics. */
  onUsage?(tokens: TokenUsage, costUsd: number): void;
  /** Told when a budget stops the run, for metrics. */
  onBudgetStop?(budget: 'turns' | 'tokens' | 'cost'): void;
};

type Block = ToolUseBlock & { text?: string };

/**
 * The tool-use loop of one agent: ask the model, run the tools it calls, give it the results,
 * until it answers or a budget stops it. State is handed to `checkpoint` after every model
 * response and every tool result, so a run killed at any point resumes where it was.
 */
export async function runAgent(run: AgentRun, state: RunState): Promise<RunState> {
  const definitions = toolDefinitions(run.tools);
  while (state.answer === undefined) {
    const last = state.messages[state.messages.length - 1];
    if (last?.role === 'assistant') {
      await answerOrRunTools(run, state, last.content as Block[]);
      continue;
    }
    const over = overBudget(state, run.budget);
    if (over !== undefined) {
      state.stopped = over.reason;
      state.answer = over.message;
      run.onBudgetStop?.(over.reason);
    } else {
      await askModel(run, state, definitions);
    }
    await run.checkpoint(state);
  }
  return state;
}

/** After the model's turn: its text is the answer, or its tool calls are run and answered. */
async function answerOrRunTools(run: AgentRun, state: RunState, content: Block[]): Promise<void> {
  const calls = content.filter((b) => b.type === 'tool_use');
  if (calls.length === 0) {
    state.answer =
      content
        .filter((b) => b.type === 'text')
        .map((b) => b.text ?? '')
        .join('\n')
        .trim() || '(The model gave no answer.)';
    await run.checkpoint(state);
    return;
  }
  for (const call of calls) {
    const id = call.id ?? '';
    if (state.results[id] !== undefined) continue;
    state.results[id] = await runToolUse(run.tools, call, run.scope, run.log);
    await run.checkpoint(state);
  }
  const outcomes = calls.map((call) => state.results[call.id ?? ''] as ToolOutcome);
  const final = outcomes.map((o) => o.final).find((f) => f !== undefined);
  state.messages.push({
    role: 'user',
    content: calls.map((call, i) => toolResult(call.id ?? '', outcomes[i] as ToolOutcome)),
  });
  state.results = {};
  if (final !== undefined) state.answer = final;
  await run.checkpoint(state);
}

/** One model call: its usage counted and logged, its reply added to the conversation. */
async function askModel(
  run: AgentRun,
  state: RunState,
  definitions: Anthropic.Tool[],
): Promise<void> {
  const started = performance.now();
  const response = await run.client.messages
    .create({
      model: run.model,
      max_tokens: run.maxOutputTokens ?? 4096,
      system: [{ type: 'text', text: run.system, cache_control: { type: 'ephemeral' } }],
      tools: definitions,
      messages: withCacheBreakpoint(state.messages),
    })
    .catch(refusedForGood);
  const tokens = countUsage(run, state, response.usage);
  run.log.info(
    {
      model: run.model,
      tokensIn: tokens.input,
      tokensOut: tokens.output,
      tokensCached: tokens.cacheRead,
      tokensCacheWrite: tokens.cacheWrite,
      stopReason: response.stop_reason,
      ms: since(started),
    },
    'model call',
  );
  addReply(state, response);
}

/** A request the API refuses as such will be refused again: no retry can help. */
function refusedForGood(error: unknown): never {
  const status = (error as { status?: number }).status;
  if (
    status !== undefined &&
    status >= 400 &&
    status < 500 &&
    status !== 408 &&
    status !== 409 &&
    status !== 429
  ) {
    throw new UnrecoverableError(
      redactText(`the model API refused the request (${status}): ${(error as Error).message}`),
    );
  }
  throw error;
}

function countUsage(run: AgentRun, state: RunState, usage: Anthropic.Usage): TokenUsage {
  const tokens = {
    input: usage.input_tokens,
    output: usage.output_tokens,
    cacheRead: usage.cache_read_input_tokens ?? 0,
    cacheWrite: usage.cache_creation_input_tokens ?? 0,
  };
  state.usage.input += tokens.input;
  state.usage.output += tokens.output;
  state.usage.cacheRead += tokens.cacheRead;
  state.usage.cacheWrite += tokens.cacheWrite;
  const cost = costOf(run.tier, tokens);
  state.usage.costUsd += cost;
  run.onUsage?.(tokens, cost);
  state.usage.calls += 1;
  return tokens;
}

/** The model's reply in the conversation, or the answer when it cannot go on. */
function addReply(state: RunState, response: Anthropic.Message): void {
  const stop = response.stop_reason;
  if (stop === 'refusal' || stop === 'model_context_window_exceeded') {
    state.messages.push({ role: 'assistant', content: response.content });
    state.answer =
      stop === 'refusal'
        ? 'The model declined to answer this request.'
        : "The conversation outgrew the model's context window before reaching an answer.";
    return;
  }
  if (stop !== 'max_tokens') {
    state.messages.push({ role: 'assistant', content: response.content });
    return;
  }
  // A reply cut off mid-way may hold a tool call with half its input: run none of it, keep
  // what it said, and ask again.
  const said = response.content.filter((b) => b.type === 'text');
  state.messages.push({
    role: 'assistant',
    content: said.length > 0 ? said : [{ type: 'text', text: '(cut off)' }],
  });
  state.messages.push({
    role: 'user',
    content: 'Your reply was cut off at the output limit. Reply again, more briefly.',
  });
}

/**
 * The conversation with a cache breakpoint on its newest block, so that each turn reads the
 * turns before it from the prompt cache instead of paying for them again.
 */
function withCacheBreakpoint(messages: RunState['messages']): Anthropic.MessageParam[] {
  const copy = structuredClone(messages) as Anthropic.MessageParam[];
  const last = copy[copy.length - 1];
  if (last === undefined) return copy;
  const blocks =
    typeof last.content === 'string'
      ? [{ type: 'text' as const, text: last.content }]
      : last.content;
  const tail = blocks[blocks.length - 1];
  if (tail !== undefined && tail.type !== 'thinking' && tail.type !== 'redacted_thinking') {
    (tail as { cache_control?: unknown }).cache_control = { type: 'ephemeral' };
  }
  last.content = blocks;
  return copy;
}

function overBudget(
  state: RunState,
  budget: Budget,
): { reason: 'turns' | 'tokens' | 'cost'; message: string } | undefined {
  const tokens =
    state.usage.input + state.usage.output + state.usage.cacheRead + state.usage.cacheWrite;
  if (state.usage.calls >= budget.maxTurns) {
    return {
      reason: 'turns',
      message: `I stopped after ${state.usage.calls} model turns, this run's limit, before reaching an answer.`,
    };
  }
  if (tokens >= budget.maxTokens) {
    return {
      reason: 'tokens',
      message: `I stopped after using ${tokens} tokens, this run's limit (${budget.maxTokens}), before reaching an answer.`,
    };
  }
  if (state.usage.costUsd >= budget.maxCostUsd) {
    return {
      reason: 'cost',
      message: `I stopped after spending $${state.usage.costUsd.toFixed(2)}, this run's limit ($${budget.maxCostUsd.toFixed(2)}), before reaching an answer.`,
    };
  }
  return undefined;
}
