import type { V1Node, V1NodeCondition } from '@kubernetes/client-node';
import { eventsAbout, type Finding, type ObjectRef, refOf, type Snapshot } from './finding.ts';
import { parseSchedulerMessage } from './schedule-message.ts';
import { isoTime } from './time.ts';

const PRESSURE: Record<string, { rule: string; events: string[] }> = {
  MemoryPressure: {
    rule: 'node/memory-pressure',
    events: ['EvictionThresholdMet', 'NodeHasInsufficientMemory'],
  },
  DiskPressure: {
    rule: 'node/disk-pressure',
    events: ['EvictionThresholdMet', 'FreeDiskSpaceFailed', 'ImageGCFailed', 'NodeHasDiskPressure'],
  },
  PIDPressure: {
    rule: 'node/pid-pressure',
    events: ['EvictionThresholdMet', 'NodeHasInsufficientPID'],
  },
};

/**
 * Findings about nodes: NotReady (and the kubelet that stopped posting its status), memory, disk
 * or PID pressure, a network not set up, and cordoned nodes, which matter when pods wait for them.
 * `now` is when the snapshot was read, to age the last heartbeat.
 */
export function analyzeNodes(snapshot: Snapshot, now: Date = new Date()): Finding[] {
  return snapshot.nodes.flatMap((node) => {
    const ref = refOf('Node', node);
    const conditions = node.status?.conditions ?? [];
    const ready = conditions.find((c) => c.type === 'Ready');
    return [
      ...(ready !== undefined && ready.status !== 'True'
        ? [notReady(ref, ready, snapshot, now)]
        : []),
      ...conditions.flatMap((c) =>
        c.status === 'True' ? (conditionFinding(ref, c, snapshot) ?? []) : [],
      ),
      ...(node.spec?.unschedulable === true ? [cordoned(node, ref, snapshot)] : []),
    ];
  });
}

function since(c: V1NodeCondition): string {
  return isoTime(c.lastTransitionTime);
}

function notReady(ref: ObjectRef, ready: V1NodeCondition, snapshot: Snapshot, now: Date): Finding {
  const heartbeat = ready.lastHeartbeatTime ? new Date(ready.lastHeartbeatTime) : undefined;
  const age =
    heartbeat === undefined
      ? undefined
      : Math.round((now.getTime() - heartbeat.getTime()) / 60_000);
  const silent =
    ready.status === 'Unknown' &&
    (ready.reason === 'NodeStatusUnknown' || /stopped posting/i.test(ready.message ?? ''));
  const evidence = [
    `Node ${ref.name} status.conditions[Ready]: ${ready.status} since ${since(ready)}: ${ready.reason ?? ''} ${ready.message ?? ''}`.trim(),
    ...(heartbeat
      ? [
          `Node ${ref.name} status.conditions[Ready].lastHeartbeatTime: ${isoTime(heartbeat)}${age !== undefined && age >= 0 ? ` (${age} min before this reading)` : ''}`,
        ]
      : []),
    ...eventsAbout(
      snapshot.events,
      ref,
      ['NodeNotReady', 'NodeStatusUnknown', 'Rebooted', 'ContainerGCFailed'],
      2,
    ),
  ];
  return {
    rule: silent ? 'node/kubelet-stopped-posting' : 'node/not-ready',
    severity: 'critical',
    object: ref,
    title: `node ${ref.name} is NotReady`,
    cause: silent
      ? `its kubelet stopped posting node status${age !== undefined && age >= 0 ? ` ${age} min ago` : ''}: the machine is down, unreachable, or its kubelet has stopped`
      : notReadyCause(ready),
    confidence: silent || ready.message ? 'certain' : 'unsure',
    confidenceReason: silent
      ? 'the node controller set Ready=Unknown (NodeStatusUnknown): no heartbeat arrived'
      : 'the kubelet reports it in the Ready condition',
    evidence,
  };
}

function notReadyCause(ready: V1NodeCondition): string {
  const message = ready.message ?? '';
  if (/network plugin|NetworkReady=false|cni/i.test(message))
    return `the container network (CNI plugin) is not ready: ${message}`;
  if (/PLEG|container runtime|runtime is down/i.test(message))
    return `the container runtime is not healthy: ${message}`;
  if (message === '')
    return `could not determine why (checked: the Ready condition, ${ready.status}${ready.reason ? ` ${ready.reason}` : ''}, with no message, and node events)`;
  return `the kubelet reports ${ready.reason ?? 'NotReady'}: ${message}`;
}

function conditionFinding(
  ref: ObjectRef,
  c: V1NodeCondition,
  snapshot: Snapshot,
): Finding | undefined {
  const pressure = PRESSURE[c.type];
  const line = `Node ${ref.name} status.conditions[${c.type}]: True since ${since(c)}${c.reason ? ` (${c.reason})` : ''}${c.message ? `: ${c.message}` : ''}`;
  if (c.type === 'NetworkUnavailable')
    return {
      rule: 'node/network-unavailable',
      severity: 'critical',
      object: ref,
      title: `node ${ref.name} has no network set up`,
      cause: `the network route or CNI for the node is not configured${c.message ? `: ${c.message}` : ''}`,
      confidence: 'certain',
      confidenceReason: 'the node reports NetworkUnavailable=True',
      evidence: [line],
    };
  if (pressure === undefined) return undefined;
  const evicted = snapshot.pods.filter(
    (p) => p.spec?.nodeName === ref.name && p.status?.reason === 'Evicted',
  ).length;
  return {
    rule: pressure.rule,
    severity: 'warning',
    object: ref,
    title: `node ${ref.name} has ${c.type}`,
    cause: `the kubelet reports ${c.type}${c.message ? `: ${c.message}` : ''}; it takes no new pods and evicts running ones until it clears`,
    confidence: 'certain',
    confidenceReason: `the node's ${c.type} condition is True`,
    evidence: [
      line,
      ...(evicted > 0 ? [`pods evicted from ${ref.name} still listed: ${evicted}`] : []),
      ...eventsAbout(snapshot.events, ref, pressure.events, 2),
    ],
  };
}

function cordoned(node: V1Node, ref: ObjectRef, snapshot: Snapshot): Finding {
  // Pods the scheduler refuses partly because nodes are cordoned are what makes a cordon matter.
  const waiting = snapshot.pods.filter((p) => {
    const message = p.status?.conditions?.find(
      (c) => c.type === 'PodScheduled' && c.status === 'False',
    )?.message;
    return (
      parseSchedulerMessage(message)?.reasons.some((r) => r.kind === 'unschedulable-node') === true
    );
  });
  const running = snapshot.pods.filter(
    (p) => p.spec?.nodeName === ref.name && p.status?.phase === 'Running',
  ).length;
  const taint = node.spec?.taints?.find((t) => t.key === 'node.kubernetes.io/unschedulable');
  return {
    rule: 'node/cordoned',
    severity: waiting.length > 0 ? 'warning' : 'info',
    object: ref,
    title: `node ${ref.name} is cordoned`,
    cause:
      waiting.length > 0
        ? `it is marked unschedulable (cordoned) and ${waiting.length} pod${waiting.length === 1 ? '' : 's'} wait${waiting.length === 1 ? 's' : ''} for a node, in part because of it`
        : 'it is marked unschedulable (cordoned, perhaps for a drain or maintenance): it runs its pods but takes no new ones',
    confidence: 'certain',
    confidenceReason: 'the node spec says unschedulable: true',
    evidence: [
      `Node ${ref.name} spec.unschedulable: true${taint?.timeAdded ? ` (since ${isoTime(taint.timeAdded)})` : ''}`,
      `pods read running on it: ${running}`,
      ...waiting
        .slice(0, 3)
        .map(
          (p) =>
            `Pod ${p.metadata?.name} is Pending: ${p.status?.conditions?.find((c) => c.type === 'PodScheduled')?.message ?? ''}`,
        ),
    ],
  };
}
