import { DEFAULT_MODEL_IDS, type ModelIds, type ModelTier } from '../config/model-ids.ts';

export { MODEL_TIERS, type ModelTier } from '../config/model-ids.ts';

/**
 * Model choice: a tier (haiku, sonnet, opus) chosen by the most specific say — a workflow step,
 * then the workflow, then the orchestrator's choice for one delegation, then the agent's own
 * default — and mapped to a model id by config, not code.
 */
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
