import type { ModelTier } from '../models.ts';

/**
 * US dollars per million tokens by tier, for the cost budgets and metrics. Cache reads cost a
 * tenth of input and cache writes a quarter more, as Anthropic bills prompt caching. These are
 * list prices when this was written; a budget is an approximation, not an invoice.
 */
const PER_MILLION: Record<ModelTier, { input: number; output: number }> = {
  haiku: { input: 1, output: 5 },
  sonnet: { input: 3, output: 15 },
  opus: { input: 5, output: 25 },
};

export type TokenUsage = { input: number; output: number; cacheRead: number; cacheWrite: number };

export function costOf(tier: ModelTier, usage: TokenUsage): number {
  const price = PER_MILLION[tier];
  return (
    (usage.input * price.input +
      usage.cacheRead * price.input * 0.1 +
      usage.cacheWrite * price.input * 1.25 +
      usage.output * price.output) /
    1_000_000
  );
}
