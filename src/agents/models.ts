import { z } from 'zod';

/**
 * Model choice: a tier (haiku, sonnet, opus) chosen by the most specific say — a workflow step,
 * then the workflow, then the orchestrator's choice for one delegation, then the agent's own
 * default — and mapped to a model id by config, not code.
 */
export const MODEL_TIERS = ['haiku', 'sonnet', 'opus'] as const;
export type ModelTier = (typeof MODEL_TIERS)[number];

/** The newest ids the installed @anthropic-ai/sdk lists, per tier. */
export const ModelIds = z.strictObject({
  haiku: z.string().min(1).default('claude-haiku-5-5'),
  sonnet: z.string().min(1).default('claude-sonnet-5-5'),
  opus: z.string().min(1).default('claude-opus-5-5'),
});
export type ModelIds = z.infer<typeof ModelIds>;
export const DEFAULT_MODEL_IDS: ModelIds = ModelIds.parse({});

export type ModelChoice = {
  step?: ModelTier | undefined;
  workflow?: ModelTier | undefined;
  delegation?: ModelTier | undefined;
  agent: ModelTier;
};

export function chooseTier(choice: ModelChoice): ModelTier {
  return choice.step ?? choice.workflow ?? choice.delegation ?? choice.agent;
}

export function modelId(choice: ModelChoice, ids: ModelIds = DEFAULT_MODEL_IDS): string {
  return ids[chooseTier(choice)];
}
