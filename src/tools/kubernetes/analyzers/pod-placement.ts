import type {
  V1LabelSelector,
  V1Node,
  V1Pod,
  V1PodAffinityTerm,
  V1TopologySpreadConstraint,
} from '@kubernetes/client-node';
import { failedAffinity, missingLabels, taintLabel, untolerated } from './node-fit.ts';
import type { PendingContext } from './pending.ts';
import type { Cause } from './pending-causes.ts';
import type { SchedulerReason } from './schedule-message.ts';

/**
 * Why the scheduler's inter-pod filters exclude nodes: the topology spread constraints, the pod
 * affinity or the anti-affinity the scheduler names, read from the pod's own spec, so the cause
 * speaks only of the rules the pod has.
 */
export function placementCause(
  context: PendingContext,
  reason: SchedulerReason,
  others: readonly SchedulerReason[],
): Cause {
  const besides =
    others.length === 0
      ? ''
      : `; besides, ${others.map((r) => `${r.nodes} node(s): ${r.text}`).join(', ')}`;
  const said = `the scheduler says "${reason.text}"`;
  if (reason.subject === 'topology spread') return spreadCause(context, reason, besides, said);
  const anti = reason.subject === 'anti-affinity';
  const spec = context.pod.spec?.affinity?.[anti ? 'podAntiAffinity' : 'podAffinity'];
  const terms = spec?.requiredDuringSchedulingIgnoredDuringExecution ?? [];
  const what = anti ? 'pod anti-affinity' : 'pod affinity';
  const field = `spec.affinity.${anti ? 'podAntiAffinity' : 'podAffinity'}.requiredDuringSchedulingIgnoredDuringExecution`;
  if (anti && /existing pods/i.test(reason.text))
    return {
      rule: 'pending/pod-anti-affinity',
      cause: `${reason.nodes} node(s) run pods whose own anti-affinity rules keep this pod away${besides}`,
      confidence: 'certain',
      confidenceReason: said,
      evidence: [],
    };
  if (terms.length === 0)
    return {
      rule: anti ? 'pending/pod-anti-affinity' : 'pending/pod-affinity',
      cause: `${reason.nodes} node(s) fail its required ${what}, which the pod read does not show${besides}`,
      confidence: 'unsure',
      confidenceReason: `${said}, though the pod read has no required ${what}`,
      evidence: [`Pod ${context.ref.name} ${field}: (none)`],
    };
  return {
    rule: anti ? 'pending/pod-anti-affinity' : 'pending/pod-affinity',
    cause: `${reason.nodes} node(s): its required ${what} (${terms.map(termText).join('; ')}) ${anti ? 'forbids every node where a matching pod already runs' : 'allows only nodes where a matching pod runs, and there is none'}${besides}`,
    confidence: 'certain',
    confidenceReason: `${said}, and the pod's spec has that rule`,
    evidence: terms.map((t) => `Pod ${context.ref.name} ${field}: ${termText(t)}`),
  };
}

function termText(term: V1PodAffinityTerm): string {
  return `topologyKey ${term.topologyKey}, pods ${selectorText(term.labelSelector)}`;
}

function selectorText(selector: V1LabelSelector | undefined): string {
  const labels = Object.entries(selector?.matchLabels ?? {}).map(([k, v]) => `${k}=${v}`);
  const expressions = (selector?.matchExpressions ?? []).map(
    (e) => `${e.key} ${e.operator}${e.values?.length ? ` (${e.values.join(', ')})` : ''}`,
  );
  return [...labels, ...expressions].join(',') || '(all)';
}

function selects(selector: V1LabelSelector | undefined, pod: V1Pod): boolean {
  if (selector === undefined) return false;
  const labels = pod.metadata?.labels ?? {};
  const plain = Object.entries(selector.matchLabels ?? {}).every(([k, v]) => labels[k] === v);
  return (
    plain &&
    (selector.matchExpressions ?? []).every((e) => {
      const has = labels[e.key];
      if (e.operator === 'In') return has !== undefined && (e.values ?? []).includes(has);
      if (e.operator === 'NotIn') return has === undefined || !(e.values ?? []).includes(has);
      if (e.operator === 'Exists') return has !== undefined;
      return has === undefined;
    })
  );
}

type Domain = { value: string; pods: number; nodes: V1Node[]; blocked: string[] };

function spreadCause(
  context: PendingContext,
  reason: SchedulerReason,
  besides: string,
  said: string,
): Cause {
  const constraints = (context.pod.spec?.topologySpreadConstraints ?? []).filter(
    (c) => c.whenUnsatisfiable !== 'ScheduleAnyway',
  );
  if (constraints.length === 0)
    return {
      rule: 'pending/topology-spread',
      cause: `${reason.nodes} node(s) would break a topology spread constraint${besides}`,
      confidence: 'likely',
      confidenceReason: `${said}, though the pod read has no DoNotSchedule topologySpreadConstraints`,
      evidence: [`Pod ${context.ref.name} spec.topologySpreadConstraints: (none DoNotSchedule)`],
    };
  const parts = constraints.map((c) => constraintText(context, c));
  return {
    rule: 'pending/topology-spread',
    cause: `${reason.nodes} node(s) would break its topology spread constraint: ${parts.map((p) => p.text).join('; ')}${besides}`,
    confidence: 'certain',
    confidenceReason: `${said}, and the pod's spec has the constraint`,
    evidence: parts.flatMap((p) => p.evidence),
  };
}

function constraintText(
  context: PendingContext,
  c: V1TopologySpreadConstraint,
): { text: string; evidence: string[] } {
  const domains = domainsOf(context, c);
  const counts = domains.map((d) => `${d.value} ${d.pods}`).join(', ');
  const fewest = Math.min(...domains.map((d) => d.pods));
  const head = `${c.topologyKey} with maxSkew ${c.maxSkew}, pods ${selectorText(c.labelSelector)}; matching pods per ${c.topologyKey}: ${counts || 'no node has the key'}`;
  // Tainted nodes still count as a domain unless nodeTaintsPolicy is Honor: a domain the pod can
  // never go to holds the minimum down, and no other may get more than maxSkew above it.
  const stuck = domains.filter((d) => d.pods === fewest && d.blocked.length > 0);
  const text =
    stuck.length === 0 || c.nodeTaintsPolicy === 'Honor'
      ? `${head}, so no node it may use keeps the skew within ${c.maxSkew}`
      : `${head}; ${stuck.map((d) => `${d.value} counts with ${d.pods} though its nodes have taints it does not tolerate (${d.blocked.join(', ')})`).join('; ')}, since nodeTaintsPolicy defaults to Ignore, so no other ${c.topologyKey} may take more (set nodeTaintsPolicy: Honor, tolerate the taint, or use whenUnsatisfiable: ScheduleAnyway)`;
  return {
    text,
    evidence: [
      `Pod ${context.ref.name} spec.topologySpreadConstraints: topologyKey ${c.topologyKey}, maxSkew ${c.maxSkew}, whenUnsatisfiable ${c.whenUnsatisfiable}, labelSelector ${selectorText(c.labelSelector)}${c.nodeTaintsPolicy ? `, nodeTaintsPolicy ${c.nodeTaintsPolicy}` : ''}`,
      ...domains
        .filter((d) => d.blocked.length > 0)
        .slice(0, 3)
        .map((d) => `${c.topologyKey}=${d.value} nodes' taints: ${d.blocked.join(', ')}`),
    ],
  };
}

/** The constraint's domains among nodes the pod's selector and affinity allow, with their pods. */
function domainsOf(context: PendingContext, c: V1TopologySpreadConstraint): Domain[] {
  const { pod, snapshot } = context;
  const domains = new Map<string, Domain>();
  for (const node of snapshot.nodes) {
    const value = node.metadata?.labels?.[c.topologyKey];
    if (value === undefined) continue;
    if (
      c.nodeAffinityPolicy !== 'Ignore' &&
      (missingLabels(pod, node).length > 0 || (failedAffinity(pod, node)?.length ?? 0) > 0)
    )
      continue;
    const domain = domains.get(value) ?? { value, pods: 0, nodes: [], blocked: [] };
    domain.nodes.push(node);
    domains.set(value, domain);
  }
  for (const domain of domains.values()) {
    const taints = domain.nodes.map((n) => untolerated(n, pod.spec?.tolerations));
    if (taints.every((t) => t.length > 0))
      domain.blocked = [...new Set(taints.flat().map(taintLabel))];
    const names = new Set(domain.nodes.map((n) => n.metadata?.name));
    domain.pods = snapshot.pods.filter(
      (p) =>
        p.metadata?.namespace === pod.metadata?.namespace &&
        names.has(p.spec?.nodeName) &&
        p.status?.phase !== 'Succeeded' &&
        p.status?.phase !== 'Failed' &&
        selects(c.labelSelector, p),
    ).length;
  }
  return [...domains.values()].sort((a, b) => a.value.localeCompare(b.value));
}
