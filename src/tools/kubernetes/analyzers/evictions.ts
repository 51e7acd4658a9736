import type { V1Pod } from '@kubernetes/client-node';
import { eventsAbout, type Finding, type ObjectRef, refOf, type Snapshot } from './finding.ts';

/**
 * Findings about pods taken off their node: evicted by the kubelet for a node short of memory,
 * disk or PIDs, or for going past their own storage limit; preempted by the scheduler for a pod
 * of higher priority; deleted for a NoExecute taint. Pods of one workload ended for the same
 * cause make one finding.
 */
export function analyzeEvictions(snapshot: Snapshot): Finding[] {
  const groups = new Map<string, { ending: Ending; owner: ObjectRef; pods: V1Pod[] }>();
  for (const pod of snapshot.pods) {
    const ending = endingOf(pod, snapshot);
    if (ending === undefined) continue;
    const owner = ownerOf(pod, snapshot);
    const key = `${owner.kind}/${owner.namespace ?? ''}/${owner.name}/${ending.rule}`;
    const group = groups.get(key) ?? { ending, owner, pods: [] };
    group.pods.push(pod);
    groups.set(key, group);
  }
  return [...groups.values()].map(({ ending, owner, pods }) =>
    finding(ending, owner, pods, snapshot),
  );
}

type Ending = { rule: string; resource?: string; message: string; source: string };

function endingOf(pod: V1Pod, snapshot: Snapshot): Ending | undefined {
  const status = pod.status;
  const target = status?.conditions?.find(
    (c) => c.type === 'DisruptionTarget' && c.status === 'True',
  );
  const message = status?.message ?? target?.message ?? '';
  const preempted = eventsAbout(snapshot.events, refOf('Pod', pod), ['Preempted'], 1)[0];
  if (
    target?.reason === 'PreemptionByScheduler' ||
    (preempted !== undefined && status?.reason !== 'Evicted')
  )
    return {
      rule: 'eviction/preempted',
      message: target?.message ?? preempted ?? '',
      source: target ? 'status.conditions[DisruptionTarget]' : 'event',
    };
  if (target?.reason === 'DeletionByTaintManager')
    return {
      rule: 'eviction/node-taint',
      message: target.message ?? '',
      source: 'status.conditions[DisruptionTarget]',
    };
  if (status?.reason !== 'Evicted' && target?.reason !== 'TerminationByKubelet') return undefined;
  const source =
    status?.reason === 'Evicted' ? 'status.message' : 'status.conditions[DisruptionTarget]';
  if (
    /exceeds the (?:total )?limit|exceeded its local ephemeral storage limit|Usage of EmptyDir volume/i.test(
      message,
    )
  )
    return {
      rule: 'eviction/storage-limit',
      resource: /limit(?: of containers)? "?(\d+(?:\.\d+)?[A-Za-z]*)/.exec(message)?.[1] ?? '?',
      message,
      source,
    };
  const low = /low on resource: ([A-Za-z-]+)/i.exec(message)?.[1];
  if (low !== undefined)
    return {
      rule: `eviction/${low === 'pids' ? 'pids' : low === 'memory' ? 'memory' : 'disk'}`,
      resource: low,
      message,
      source,
    };
  if (/node shutdown/i.test(message)) return { rule: 'eviction/node-shutdown', message, source };
  return { rule: 'eviction/unknown', message, source };
}

function ownerOf(pod: V1Pod, snapshot: Snapshot): ObjectRef {
  const owner = pod.metadata?.ownerReferences?.find((o) => o.controller !== false);
  if (owner === undefined) return refOf('Pod', pod);
  const ref: ObjectRef = { kind: owner.kind, name: owner.name };
  if (pod.metadata?.namespace !== undefined) ref.namespace = pod.metadata.namespace;
  if (owner.kind !== 'ReplicaSet') return ref;
  const rs = snapshot.replicaSets.find(
    (r) => r.metadata?.name === owner.name && r.metadata?.namespace === ref.namespace,
  );
  const deployment = rs?.metadata?.ownerReferences?.find((o) => o.kind === 'Deployment');
  return deployment === undefined ? ref : { ...ref, kind: 'Deployment', name: deployment.name };
}

const WHY: Record<string, (node: string, resource: string) => string> = {
  'eviction/memory': (n) =>
    `node ${n} ran low on memory and the kubelet evicted pods, those using the most beyond their memory request first`,
  'eviction/disk': (n, r) =>
    `node ${n} ran low on ${r} (disk) and the kubelet evicted pods, those writing the most to local disk beyond their request first`,
  'eviction/pids': (n) => `node ${n} ran low on process IDs and the kubelet evicted pods`,
  'eviction/storage-limit': (_, limit) =>
    `it wrote more to local disk (container writable layer, logs or emptyDir) than its ephemeral-storage limit (${limit}) allows, and the kubelet evicted it`,
  'eviction/preempted': () =>
    'the scheduler preempted it to make room for a pod of higher priority',
  'eviction/node-taint': (n) =>
    `node ${n} got a NoExecute taint the pod does not tolerate (often the node going NotReady), and it was deleted`,
  'eviction/node-shutdown': (n) => `node ${n} shut down and the kubelet ended its pods`,
};

function finding(ending: Ending, owner: ObjectRef, pods: V1Pod[], snapshot: Snapshot): Finding {
  const first = pods[0] as V1Pod;
  const node = first.spec?.nodeName ?? '?';
  const pressure =
    snapshot.nodes
      .find((n) => n.metadata?.name === node)
      ?.status?.conditions?.filter((c) => c.type.endsWith('Pressure') && c.status === 'True')
      .map(
        (c) =>
          `Node ${node} status.conditions[${c.type}]: True${c.message ? ` (${c.message})` : ''}`,
      ) ?? [];
  const why = WHY[ending.rule];
  const usage =
    /Container (\S+) was using (\S+?),? (?:request is (\S+?)|which exceeds its request of (\S+?))[,.]/.exec(
      ending.message,
    );
  const name = (p: V1Pod) => p.metadata?.name ?? '?';
  return {
    rule: ending.rule,
    severity: ending.rule === 'eviction/preempted' ? 'info' : 'warning',
    object: owner,
    title: `${pods.length} pod${pods.length === 1 ? '' : 's'} of ${owner.kind.toLowerCase()} ${owner.name} ${ending.rule === 'eviction/preempted' ? 'were preempted' : 'were evicted'}`,
    cause:
      why === undefined
        ? `could not determine why the kubelet ended it (checked: status.reason, status.message, DisruptionTarget): ${ending.message || 'no message'}`
        : `${why(node, ending.resource ?? '')}${usage ? `; container ${usage[1]} was using ${usage[2]} against a request of ${usage[3] ?? usage[4]}` : ''}`,
    confidence: why === undefined ? 'unsure' : 'certain',
    confidenceReason:
      why === undefined
        ? 'the message names no cause the analyzers know'
        : `the pod's ${ending.source} says so`,
    evidence: [
      `Pod ${name(first)} ${ending.source}: ${ending.message}`,
      ...(pods.length > 1
        ? [`also: ${pods.slice(1, 6).map(name).join(', ')}${pods.length > 6 ? ', …' : ''}`]
        : []),
      ...pressure,
      ...eventsAbout(snapshot.events, refOf('Pod', first), ['Evicted', 'Preempted'], 1),
    ],
  };
}
