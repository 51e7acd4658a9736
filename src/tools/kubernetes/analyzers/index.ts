import { redactText } from '../../../policy/redact.ts';
import { analyzeAutoscalers } from './autoscalers.ts';
import { analyzeCreateFailures } from './create-failures.ts';
import { analyzeCronJobs } from './cronjobs.ts';
import { analyzeDisruptionBudgets } from './disruption-budgets.ts';
import { analyzeEvictions } from './evictions.ts';
import type { Finding, Snapshot } from './finding.ts';
import { analyzeJobs } from './jobs.ts';
import { analyzeNodes } from './nodes.ts';
import { analyzePending } from './pending.ts';
import { analyzePods } from './pods.ts';
import { analyzeRollouts } from './rollouts.ts';
import { analyzeServices } from './services.ts';

export type {
  Confidence,
  Finding,
  ObjectRef,
  ProposedAction,
  Severity,
  Snapshot,
} from './finding.ts';

const ORDER = { critical: 0, warning: 1, info: 2 } as const;

/**
 * Every finding in a snapshot, most severe first. Titles, causes and evidence quote the cluster
 * (messages, log lines), so they are redacted here, before anyone sees them. `now` is when the
 * snapshot was read: what is late (a CronJob's run, a node's heartbeat) is late relative to it.
 */
export function analyze(snapshot: Snapshot, now: Date = new Date()): Finding[] {
  return [
    ...analyzeRollouts(snapshot),
    ...analyzeCreateFailures(snapshot),
    ...analyzePods(snapshot),
    ...analyzePending(snapshot),
    ...analyzeEvictions(snapshot),
    ...analyzeJobs(snapshot),
    ...analyzeCronJobs(snapshot, now),
    ...analyzeServices(snapshot),
    ...analyzeAutoscalers(snapshot),
    ...analyzeDisruptionBudgets(snapshot),
    ...analyzeNodes(snapshot, now),
  ]
    .map(redactFinding)
    .sort((a, b) => ORDER[a.severity] - ORDER[b.severity]);
}

export function redactFinding(finding: Finding): Finding {
  return {
    ...finding,
    title: redactText(finding.title),
    cause: redactText(finding.cause),
    confidenceReason: redactText(finding.confidenceReason),
    evidence: finding.evidence.filter(Boolean).map(redactText),
  };
}
