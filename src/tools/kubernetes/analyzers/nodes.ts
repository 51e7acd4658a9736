import { eventsAbout, type Finding, refOf, type Snapshot } from './finding.ts';

const PRESSURE = ['MemoryPressure', 'DiskPressure', 'PIDPressure'];

/** Findings about nodes: NotReady, and memory, disk or PID pressure. */
export function analyzeNodes(snapshot: Snapshot): Finding[] {
  const findings: Finding[] = [];
  for (const node of snapshot.nodes) {
    const ref = refOf('Node', node);
    const conditions = node.status?.conditions ?? [];
    const ready = conditions.find((c) => c.type === 'Ready');
    if (ready !== undefined && ready.status !== 'True') {
      findings.push({
        rule: 'node-not-ready',
        severity: 'critical',
        object: ref,
        title: `node ${ref.name} is NotReady`,
        cause: `the node's Ready condition is ${ready.status}${ready.reason ? ` (${ready.reason})` : ''}${ready.message ? `: ${ready.message}` : ''}`,
        confidence: 'certain',
        confidenceReason: 'the node reports it in its Ready condition',
        evidence: [
          `Ready=${ready.status} since ${ready.lastTransitionTime ? new Date(ready.lastTransitionTime).toISOString() : 'unknown'}: ${ready.reason ?? ''} ${ready.message ?? ''}`.trim(),
          ...eventsAbout(snapshot.events, ref, ['NodeNotReady']),
        ],
      });
    }
    for (const condition of conditions) {
      if (!PRESSURE.includes(condition.type) || condition.status !== 'True') continue;
      findings.push({
        rule: 'node-pressure',
        severity: 'warning',
        object: ref,
        title: `node ${ref.name} has ${condition.type}`,
        cause: `the kubelet reports ${condition.type}${condition.message ? `: ${condition.message}` : ''}`,
        confidence: 'certain',
        confidenceReason: `the node's ${condition.type} condition is True`,
        evidence: [
          `${condition.type}=True: ${condition.message ?? condition.reason ?? ''}`,
          ...eventsAbout(snapshot.events, ref, [
            'EvictionThresholdMet',
            'NodeHasInsufficientMemory',
            'FreeDiskSpaceFailed',
          ]),
        ],
      });
    }
  }
  return findings;
}
