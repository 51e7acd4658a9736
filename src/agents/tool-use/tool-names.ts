import { GIT_TOOL_NAMES } from './git-tools.ts';
import { KUBE_TOOL_NAMES } from './kube-tools.ts';
import { METRICS_TOOL_NAMES } from './metrics-tools.ts';

/** Every tool an agent file may name (besides the orchestrator's own). */
export const AGENT_TOOL_NAMES: readonly string[] = [
  ...KUBE_TOOL_NAMES,
  ...METRICS_TOOL_NAMES,
  ...GIT_TOOL_NAMES,
];
