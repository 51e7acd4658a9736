import { redactText } from '../../../policy/redact.ts';
import type { Finding, Snapshot } from './finding.ts';
import { analyzeNodes } from './nodes.ts';
import { analyzePods } from './pods.ts';
import { analyzeRollouts } from './rollouts.ts';

export type { Finding, ObjectRef, ProposedAction, Severity, Snapshot } from './finding.ts';

const ORDER = { critical: 0, warning: 1, info: 2 } as const;

/** Every finding in a snapshot, most severe first; evidence quotes the cluster, so it is redacted. */
export function analyze(snapshot: Snapshot): Finding[] {
  return [...analyzeRollouts(snapshot), ...analyzePods(snapshot), ...analyzeNodes(snapshot)]
    .map((finding) => ({ ...finding, evidence: finding.evidence.filter(Boolean).map(redactText) }))
    .sort((a, b) => ORDER[a.severity] - ORDER[b.severity]);
}
