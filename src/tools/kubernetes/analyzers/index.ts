import { redactText } from '../../../policy/redact.ts';
import type { Finding, Snapshot } from './finding.ts';
import { analyzeNodes } from './nodes.ts';
import { analyzePending } from './pending.ts';
import { analyzePods } from './pods.ts';
import { analyzeRollouts } from './rollouts.ts';

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
 * (messages, log lines), so they are redacted here, before anyone sees them.
 */
export function analyze(snapshot: Snapshot): Finding[] {
  return [
    ...analyzeRollouts(snapshot),
    ...analyzePods(snapshot),
    ...analyzePending(snapshot),
    ...analyzeNodes(snapshot),
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
