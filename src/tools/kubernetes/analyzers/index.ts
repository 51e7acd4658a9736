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
import { prepareSnapshot } from './prepare.ts';
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
export function analyze(read: Snapshot, now: Date = new Date()): Finding[] {
  const snapshot = prepareSnapshot(read);
  return [
    ...analyzeRollouts(snapshot),
    ...analyzeCreateFailures(snapshot),
    ...analyzePods(snapshot, now.getTime()),
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

/**
 * A finding as anyone may see it: redacted, and each part on one line, so that a message a
 * workload wrote cannot pass for a heading, a finding or a `Cause:` line of the answer around it.
 */
export function redactFinding(finding: Finding): Finding {
  return {
    ...finding,
    title: oneLine(finding.title),
    cause: oneLine(finding.cause),
    confidenceReason: oneLine(finding.confidenceReason),
    evidence: finding.evidence.filter(Boolean).map(oneLine),
  };
}

function oneLine(text: string): string {
  return redactText(String(text))
    .replace(/\s*[\r\n\u2028\u2029]+\s*/g, ' ')
    .trim();
}
