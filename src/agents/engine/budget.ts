import type { Budget } from '../loop/run-agent.ts';

/** Per-run limits until config sets its own: generous for a question, firm against runaway loops. */
export const DEFAULT_BUDGET: Budget = { maxTurns: 12, maxTokens: 400_000, maxCostUsd: 2 };
