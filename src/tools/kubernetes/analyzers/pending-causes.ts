import type { V1Node } from '@kubernetes/client-node';
import type { Confidence } from './finding.ts';
import {
  failedAffinity,
  formatQuantity,
  freeOn,
  missingLabels,
  podRequest,
  podsOn,
  taintLabel,
  untolerated,
} from './node-fit.ts';
import type { PendingContext } from './pending.ts';
import type { SchedulerReason } from './schedule-message.ts';

/** A pending pod's cause, as the pending finding carries it. */
export type Cause = {
  rule: string;
  cause: string;
  confidence: Confidence;
  confidenceReason: string;
  evidence: string[];
};

const SAID = 'the scheduler says so in its message, and the objects agree';

function besides(others: readonly SchedulerReason[]): string {
  if (others.length === 0) return '';
  return `; besides, ${others.map((r) => `${r.nodes} node(s): ${r.text}`).join(', ')}`;
}

/** Nodes the pod could go to but for their room: no untolerated taint, labels matching, not cordoned. */
function eligible(context: PendingContext): V1Node[] {
  const { pod, snapshot } = context;
  return snapshot.nodes.filter(
    (node) =>
      node.spec?.unschedulable !== true &&
      untolerated(node, pod.spec?.tolerations).length === 0 &&
      missingLabels(pod, node).length === 0 &&
      (failedAffinity(pod, node)?.length ?? 0) === 0,
  );
}

export function resourceCause(
  context: PendingContext,
  reason: SchedulerReason,
  others: readonly SchedulerReason[],
): Cause {
  const resource = reason.subject ?? 'cpu';
  const wanted = podRequest(context.pod, resource);
  const nodes = eligible(context);
  const free = nodes
    .map((node) => ({ node, free: freeOn(node, resource, context.snapshot.pods) }))
    .filter((n): n is { node: V1Node; free: number } => n.free !== undefined)
    .sort((a, b) => b.free - a.free);
  const most = free[0];
  const fmt = (n: number) => formatQuantity(resource, Math.max(n, 0));
  const agrees = most === undefined || most.free < wanted;
  return {
    rule: 'pending/insufficient-resources',
    cause:
      most === undefined
        ? `${reason.nodes} node(s) lack the ${resource} it requests (${fmt(wanted)})${besides(others)}`
        : `it requests ${fmt(wanted)} ${resource} and the most any node it may run on has free is ${fmt(most.free)} (node ${most.node.metadata?.name}, allocatable less the requests of the pods read)${besides(others)}`,
    confidence: agrees ? 'certain' : 'likely',
    confidenceReason: agrees
      ? SAID
      : 'the scheduler says so, but the pods read leave more room: pods of namespaces not read may take it',
    evidence: [
      `Pod ${context.ref.name} requests ${resource}: ${fmt(wanted)} (containers summed, largest init container, overhead)`,
      ...free
        .slice(0, 3)
        .map(
          ({ node, free: left }) =>
            `Node ${node.metadata?.name} status.allocatable.${resource}: ${node.status?.allocatable?.[resource]}, free after the pods read: ${fmt(left)}`,
        ),
    ],
  };
}

export function tooManyPodsCause(
  context: PendingContext,
  reason: SchedulerReason,
  others: readonly SchedulerReason[],
): Cause {
  const full = eligible(context)
    .map((node) => {
      const name = node.metadata?.name ?? '';
      return {
        name,
        max: node.status?.allocatable?.pods,
        running: podsOn(name, context.snapshot.pods).length,
      };
    })
    .slice(0, 3);
  return {
    rule: 'pending/too-many-pods',
    cause: `Too many pods: ${reason.nodes} node(s) already run as many pods as they allow (their pod limit, status.allocatable.pods)${besides(others)}`,
    confidence: 'certain',
    confidenceReason: 'the scheduler says Too many pods',
    evidence: full.map(
      (n) =>
        `Node ${n.name} status.allocatable.pods: ${n.max ?? '?'}, pods read on it: ${n.running}`,
    ),
  };
}

export function taintCause(
  context: PendingContext,
  reason: SchedulerReason,
  others: readonly SchedulerReason[],
): Cause {
  const tolerations = context.pod.spec?.tolerations ?? [];
  const tainted = context.snapshot.nodes
    .map((node) => ({ node, taints: untolerated(node, tolerations) }))
    .filter((n) => n.taints.length > 0);
  const taint = reason.subject?.replace(/: ?/, '=').replace(/=$/, '') ?? 'a taint';
  const condition = /^node\.kubernetes\.io\/([a-z-]+)/.exec(taint)?.[1];
  return {
    rule: 'pending/taints',
    cause: `${reason.nodes} node(s) have the taint ${taint}, which the pod does not tolerate${condition ? ` (Kubernetes sets it while the node is ${condition})` : ''}${besides(others)}`,
    confidence: tainted.length > 0 || context.snapshot.nodes.length === 0 ? 'certain' : 'likely',
    confidenceReason:
      tainted.length > 0 || context.snapshot.nodes.length === 0
        ? SAID
        : 'the scheduler says so, but the nodes read no longer carry an untolerated taint',
    evidence: [
      `Pod ${context.ref.name} spec.tolerations: ${tolerations.map((t) => `${t.key ?? '*'} ${t.operator ?? 'Equal'} ${t.value ?? ''}:${t.effect ?? '*'}`.replace(/ +:/, ':')).join(', ') || '(none)'}`,
      ...tainted
        .slice(0, 3)
        .map(
          (n) =>
            `Node ${n.node.metadata?.name} spec.taints: ${n.taints.map(taintLabel).join(', ')}`,
        ),
    ],
  };
}

export function affinityCause(
  context: PendingContext,
  reason: SchedulerReason,
  others: readonly SchedulerReason[],
): Cause {
  const { pod, snapshot } = context;
  const selector = Object.entries(pod.spec?.nodeSelector ?? {}).map(([k, v]) => `${k}=${v}`);
  const unmatched = selector.filter((label) =>
    snapshot.nodes.every((node) => missingLabels(pod, node).includes(label)),
  );
  const affinity = snapshot.nodes.map((node) => failedAffinity(pod, node));
  const affinityFails =
    affinity.every((f) => f !== undefined && f.length > 0) && affinity.length > 0;
  const what =
    unmatched.length > 0
      ? `no node has the label${unmatched.length > 1 ? 's' : ''} ${unmatched.join(', ')} its nodeSelector asks for`
      : affinityFails
        ? `no node satisfies its required node affinity (${[...new Set(affinity.flatMap((f) => f ?? []))].join('; ')})`
        : `${reason.nodes} node(s) do not match its nodeSelector or node affinity`;
  return {
    rule: 'pending/node-selector',
    cause: `${what}${besides(others)}`,
    confidence: unmatched.length > 0 || affinityFails ? 'certain' : 'likely',
    confidenceReason:
      unmatched.length > 0 || affinityFails
        ? SAID
        : 'the scheduler says so; the nodes read do not show which label is missing',
    evidence: [
      ...(selector.length > 0
        ? [`Pod ${context.ref.name} spec.nodeSelector: ${selector.join(', ')}`]
        : []),
      ...(affinityFails
        ? [`Pod ${context.ref.name} spec.affinity.nodeAffinity.required: not met by any node`]
        : []),
      ...labelValues(context, unmatched),
    ],
  };
}

/** For each label no node matches, what the nodes have under that key instead. */
function labelValues(context: PendingContext, labels: readonly string[]): string[] {
  return labels.flatMap((label) => {
    const key = label.split('=')[0] ?? '';
    const values = context.snapshot.nodes
      .slice(0, 3)
      .map((n) => `${n.metadata?.name}: ${n.metadata?.labels?.[key] ?? '(absent)'}`);
    return values.length === 0 ? [] : [`Node metadata.labels[${key}]: ${values.join(', ')}`];
  });
}

const GENERIC: Record<string, { rule: string; what: string }> = {
  'unschedulable-node': {
    rule: 'pending/nodes-cordoned',
    what: 'the nodes it could use are cordoned (spec.unschedulable)',
  },
  'volume-node-affinity': {
    rule: 'pending/volume-node-affinity',
    what: 'its volumes are bound to a zone or node it cannot run in',
  },
  'host-ports': {
    rule: 'pending/host-ports',
    what: 'the host ports it asks for are taken on every node',
  },
};

export function genericCause(
  context: PendingContext,
  reason: SchedulerReason | undefined,
  others: readonly SchedulerReason[],
): Cause {
  const known = reason === undefined ? undefined : GENERIC[reason.kind];
  if (reason !== undefined && known !== undefined)
    return {
      rule: known.rule,
      cause: `${reason.nodes} node(s): ${known.what}${besides(others)}`,
      confidence: 'certain',
      confidenceReason: `the scheduler says "${reason.text}"`,
      evidence: cordoned(context),
    };
  return {
    rule: 'pending/unschedulable',
    cause: `could not determine why no node takes it (checked: the scheduler's message${reason ? ` "${reason.text}"` : ''}, requests, taints, selectors and claims)`,
    confidence: 'unsure',
    confidenceReason: 'the scheduler gave no reason the analyzers know',
    evidence: [],
  };
}

function cordoned(context: PendingContext): string[] {
  return context.snapshot.nodes
    .filter((n) => n.spec?.unschedulable === true)
    .slice(0, 3)
    .map((n) => `Node ${n.metadata?.name} spec.unschedulable: true`);
}
