import { z } from 'zod';

/** The model tiers an agent, a delegation or a workflow step may ask for. */
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
