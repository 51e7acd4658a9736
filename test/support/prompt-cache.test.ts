import { describe, expect, it } from 'vitest';
import { breakpointCount, PromptCache } from './prompt-cache.ts';

/**
 * The local Messages API's prompt cache reads and writes what the API's would: prefixes up to a
 * marked block, long enough to be cached, read by later requests within 20 blocks.
 */
const MARK = { type: 'ephemeral' };
/** About 1,500 tokens at four characters a token. */
const LONG = 'x'.repeat(6_000);

const tool = (name: string, marked = false) => ({
  name,
  description: LONG,
  input_schema: { type: 'object' },
  ...(marked ? { cache_control: MARK } : {}),
});

function request(messages: { role: string; content: unknown }[], marked = true) {
  return {
    model: 'claude-sonnet-5-5',
    tools: [tool('a'), tool('b', marked)],
    system: [{ type: 'text', text: 'You are a test.', ...(marked ? { cache_control: MARK } : {}) }],
    messages,
  };
}

const user = (text: string, marked = true) => ({
  role: 'user',
  content: [{ type: 'text', text, ...(marked ? { cache_control: MARK } : {}) }],
});

describe('the prompt cache estimate', () => {
  it('writes the prefix up to the last breakpoint, then reads it', () => {
    const cache = new PromptCache();

    const first = cache.usage(request([user('Why?')]));
    const again = cache.usage(request([user('Why?')]));

    expect(first.cacheRead).toBe(0);
    expect(first.cacheWrite).toBeGreaterThan(3_000);
    expect(first.input).toBe(0);
    expect(again).toEqual({ input: 0, cacheRead: first.cacheWrite, cacheWrite: 0 });
  });

  it('caches nothing without a breakpoint', () => {
    const cache = new PromptCache();

    cache.usage(request([user('Why?', false)], false));
    const again = cache.usage(request([user('Why?', false)], false));

    expect(again.cacheRead + again.cacheWrite).toBe(0);
    expect(again.input).toBeGreaterThan(3_000);
  });

  it('reads the tools and system for a new question, and writes only the question', () => {
    const cache = new PromptCache();
    const first = cache.usage(request([user('Why?')]));

    const other = cache.usage(request([user('What changed since yesterday?')]));

    expect(other.cacheRead).toBeGreaterThan(first.cacheWrite - 20);
    expect(other.cacheWrite).toBeLessThan(20);
  });

  it("reads a conversation's earlier turns from the previous call's breakpoint", () => {
    const cache = new PromptCache();
    const turn1 = [user('Why?')];
    const first = cache.usage(request(turn1));
    const turn2 = [
      user('Why?', false),
      { role: 'assistant', content: [{ type: 'text', text: 'Let me look.' }] },
      user(LONG),
    ];

    const second = cache.usage(request(turn2));

    expect(second.cacheRead).toBe(first.cacheWrite);
    expect(second.cacheWrite).toBeGreaterThan(1_400);
  });

  it('misses a breakpoint more than 20 blocks back', () => {
    const cache = new PromptCache();
    const first = cache.usage(request([user('Why?')]));
    const toolsAndSystem = cache.usage(request([user('Something else?')])).cacheRead;
    const steps = (n: number) => ({
      role: 'assistant',
      content: Array.from({ length: n }, (_, i) => ({ type: 'text', text: `step ${i}` })),
    });

    const near = cache.usage(request([user('Why?', false), steps(10), user('Go on.')]));
    const far = cache.usage(request([user('Why?', false), steps(22), user('Go on.')]));

    expect(near.cacheRead).toBe(first.cacheWrite);
    expect(far.cacheRead).toBe(toolsAndSystem);
  });

  it('caches no prefix shorter than the minimum', () => {
    const cache = new PromptCache({ minTokens: () => 4_096 });

    cache.usage(request([user('Why?')]));
    const again = cache.usage(request([user('Why?')]));

    expect(again).toEqual({ input: again.input, cacheRead: 0, cacheWrite: 0 });
  });

  it('keeps an entry five minutes after it was last used, per model', () => {
    let now = 0;
    const cache = new PromptCache({ now: () => now });
    cache.usage(request([user('Why?')]));

    now = 4 * 60_000;
    const inTime = cache.usage(request([user('Why?')]));
    const otherModel = cache.usage({ ...request([user('Why?')]), model: 'claude-opus-5-5' });
    now += 5 * 60_000 + 1;
    const late = cache.usage(request([user('Why?')]));

    expect(inTime.cacheRead).toBeGreaterThan(0);
    expect(otherModel.cacheRead).toBe(0);
    expect(late.cacheRead).toBe(0);
  });

  it('counts the breakpoints the API allows four of', () => {
    const marked = request([user('Why?')]);

    expect(breakpointCount(marked)).toBe(3);
    expect(breakpointCount({ ...marked, cache_control: MARK })).toBe(3);
    expect(breakpointCount({ ...marked, tools: [tool('a', true), tool('b', true)] })).toBe(4);
  });
});
