import { Writable } from 'node:stream';
import type Anthropic from '@anthropic-ai/sdk';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createLogger } from '../../observability/logger.ts';
import { defineTool } from '../../tools/tool.ts';
import type { ToolCall } from './model-tools.ts';
import { runAgent } from './run-agent.ts';
import { newRunState } from './state.ts';

/** Log lines as written, parsed. */
function capture() {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>);
      done();
    },
  });
  return { lines, log: createLogger('info', stream) };
}

/** A model client that answers each request with the next scripted reply. */
function scripted(...replies: Pick<Anthropic.Message, 'content' | 'stop_reason'>[]): Anthropic {
  const usage = {
    input_tokens: 120,
    output_tokens: 30,
    cache_read_input_tokens: 100,
    cache_creation_input_tokens: 0,
  };
  const create = async () => ({ ...replies.shift(), usage });
  return { messages: { create } } as unknown as Anthropic;
}

const lookup = defineTool({
  name: 'lookup',
  description: 'finds a word',
  verb: 'get',
  input: z.object({ word: z.string() }),
  scope: () => ({ namespaces: [] }),
  async run(_call: ToolCall, input) {
    return input.word === 'missing'
      ? { content: 'no such word', isError: true }
      : { content: `found ${input.word}`, isError: false };
  },
});

describe("a run's log", () => {
  it('has one line per model call and per tool call, with fixed messages and the details', async () => {
    const { lines, log } = capture();
    const client = scripted(
      {
        content: [
          { type: 'tool_use', id: 'c1', name: 'lookup', input: { word: 'cat' }, caller: undefined },
          {
            type: 'tool_use',
            id: 'c2',
            name: 'lookup',
            input: { word: 'missing' },
            caller: undefined,
          },
        ] as unknown as Anthropic.ContentBlock[],
        stop_reason: 'tool_use',
      },
      {
        content: [{ type: 'text', text: 'Done.', citations: null }],
        stop_reason: 'end_turn',
      },
    );

    const state = await runAgent(
      {
        client,
        model: 'claude-test',
        tier: 'sonnet',
        system: 'be brief',
        tools: [lookup],
        scope: { cluster: 'prod' },
        budget: { maxTurns: 5, maxTokens: 100_000, maxCostUsd: 1 },
        checkpoint: async () => {},
        log: log.child({ runId: 'run-1', agent: 'k8s-diagnostician' }),
      },
      newRunState('Find cat'),
    );

    expect(state.answer).toBe('Done.');
    const models = lines.filter((l) => l.msg === 'model call');
    const tools = lines.filter((l) => l.msg === 'tool call');
    expect(models).toHaveLength(2);
    expect(models[0]).toMatchObject({
      runId: 'run-1',
      agent: 'k8s-diagnostician',
      model: 'claude-test',
      tokensIn: 120,
      tokensOut: 30,
      tokensCached: 100,
      stopReason: 'tool_use',
    });
    expect(models[1]).toMatchObject({ stopReason: 'end_turn' });
    expect(tools.map((l) => [l.tool, l.callId, l.error])).toEqual([
      ['lookup', 'c1', false],
      ['lookup', 'c2', true],
    ]);
    for (const line of [...models, ...tools]) {
      expect(line).toMatchObject({ runId: 'run-1', agent: 'k8s-diagnostician' });
      expect(typeof line.ms).toBe('number');
    }
  });
});

describe('a budget', () => {
  it('stops the run with its reason, and says so once to onBudgetStop', async () => {
    const { log } = capture();
    const askAgain = () => ({
      content: [
        { type: 'tool_use', id: `c${Math.random()}`, name: 'lookup', input: { word: 'cat' } },
      ] as unknown as Anthropic.ContentBlock[],
      stop_reason: 'tool_use' as const,
    });
    const stops: string[] = [];
    const state = await runAgent(
      {
        client: scripted(askAgain(), askAgain(), askAgain()),
        model: 'claude-test',
        tier: 'sonnet',
        system: 'be brief',
        tools: [lookup],
        scope: { cluster: 'prod' },
        budget: { maxTurns: 2, maxTokens: 100_000, maxCostUsd: 1 },
        checkpoint: async () => {},
        log,
        onBudgetStop: (budget) => stops.push(budget),
      },
      newRunState('Find cat'),
    );

    expect(state.stopped).toBe('turns');
    expect(state.answer).toContain('2 model turns');
    expect(stops).toEqual(['turns']);
  });
});
