import type { MetricsContext } from '../../tools/metrics/context.ts';
import { METRICS_READ_TOOLS } from '../../tools/metrics/index.ts';
import { SILENCE_TOOLS } from '../../tools/metrics/silence-tools.ts';
import { readTool } from './kube-tools.ts';
import type { AgentTool } from './model-tools.ts';
import { type ProposeDeps, proposeTool } from './propose-tool.ts';

/** Every metrics tool an agent file may name. */
export const METRICS_TOOL_NAMES: readonly string[] = [...METRICS_READ_TOOLS, ...SILENCE_TOOLS].map(
  (t) => t.name,
);

/**
 * The Prometheus and Alertmanager tools an agent may call: reads, and silences proposed. They are
 * offered even when a URL is unset: the call then says metrics are not configured, and the agent
 * answers without them.
 */
export function metricsTools(
  names: readonly string[],
  context: MetricsContext,
  proposing: ProposeDeps & { cluster: string },
): AgentTool[] {
  return [
    ...METRICS_READ_TOOLS.filter((t) => names.includes(t.name)).map((t) => readTool(t, context)),
    ...SILENCE_TOOLS.filter((t) => names.includes(t.name)).map((t) =>
      proposeTool(t, { ...context, cluster: proposing.cluster }, proposing),
    ),
  ];
}
