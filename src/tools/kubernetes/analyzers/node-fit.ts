import type {
  V1Container,
  V1Node,
  V1NodeSelectorRequirement,
  V1Pod,
  V1Taint,
  V1Toleration,
} from '@kubernetes/client-node';
import { formatMemory, parseCpu, parseMemory } from '../../../shared/quantity.ts';

/**
 * What the scheduler compares, computed from the objects: a pod's requests against what nodes
 * have left, its tolerations against their taints, its selectors against their labels. The
 * analyzers use it to check the scheduler's message and to say which node came closest.
 */

/** A quantity in the unit the analyzers compare: millicores for cpu, bytes or counts otherwise. */
export function quantity(resource: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  return resource === 'cpu' ? parseCpu(String(value)) : parseMemory(String(value));
}

export function formatQuantity(resource: string, amount: number): string {
  if (resource === 'cpu') return amount % 1000 === 0 ? String(amount / 1000) : `${amount}m`;
  if (/memory|storage/.test(resource)) return formatMemory(amount);
  return String(amount);
}

function requestOf(container: V1Container, resource: string): number {
  return quantity(resource, container.resources?.requests?.[resource]) ?? 0;
}

/** What a pod asks of a node for one resource: its containers, or its largest init container. */
export function podRequest(pod: V1Pod, resource: string): number {
  const spec = pod.spec;
  if (spec === undefined) return 0;
  const containers = (spec.containers ?? []).reduce((sum, c) => sum + requestOf(c, resource), 0);
  const init = Math.max(0, ...(spec.initContainers ?? []).map((c) => requestOf(c, resource)));
  const overhead = quantity(resource, spec.overhead?.[resource]) ?? 0;
  return Math.max(containers, init) + overhead;
}

function active(pod: V1Pod): boolean {
  return pod.status?.phase !== 'Succeeded' && pod.status?.phase !== 'Failed';
}

export function podsOn(node: string, pods: readonly V1Pod[]): V1Pod[] {
  return pods.filter((p) => p.spec?.nodeName === node && active(p));
}

/** A node's allocatable resource less the requests of the pods read that run on it. */
export function freeOn(node: V1Node, resource: string, pods: readonly V1Pod[]): number | undefined {
  const allocatable = quantity(resource, node.status?.allocatable?.[resource]);
  if (allocatable === undefined) return undefined;
  const name = node.metadata?.name ?? '';
  const used = podsOn(name, pods).reduce((sum, p) => sum + podRequest(p, resource), 0);
  return allocatable - used;
}

/** Taints that keep pods off a node (NoSchedule, NoExecute) and the pod does not tolerate. */
export function untolerated(node: V1Node, tolerations: readonly V1Toleration[] = []): V1Taint[] {
  return (node.spec?.taints ?? []).filter(
    (taint) =>
      (taint.effect === 'NoSchedule' || taint.effect === 'NoExecute') &&
      !tolerations.some((t) => tolerates(t, taint)),
  );
}

function tolerates(toleration: V1Toleration, taint: V1Taint): boolean {
  if (
    toleration.effect !== undefined &&
    toleration.effect !== '' &&
    toleration.effect !== taint.effect
  )
    return false;
  if (toleration.key === undefined || toleration.key === '')
    return toleration.operator === 'Exists';
  if (toleration.key !== taint.key) return false;
  if (toleration.operator === 'Exists') return true;
  return (toleration.value ?? '') === (taint.value ?? '');
}

export function taintLabel(taint: V1Taint): string {
  return `${taint.key}${taint.value ? `=${taint.value}` : ''}:${taint.effect}`;
}

/** The pod's nodeSelector labels a node lacks, as `key=value`. */
export function missingLabels(pod: V1Pod, node: V1Node): string[] {
  const labels = node.metadata?.labels ?? {};
  return Object.entries(pod.spec?.nodeSelector ?? {})
    .filter(([key, value]) => labels[key] !== value)
    .map(([key, value]) => `${key}=${value}`);
}

/**
 * The required node-affinity expressions a node fails, or [] when one of the terms matches (terms
 * are ORed, expressions within a term ANDed). Undefined when the pod has no required affinity.
 */
export function failedAffinity(pod: V1Pod, node: V1Node): string[] | undefined {
  const terms =
    pod.spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution
      ?.nodeSelectorTerms;
  if (terms === undefined || terms.length === 0) return undefined;
  const labels = node.metadata?.labels ?? {};
  const failures = terms.map((term) =>
    (term.matchExpressions ?? []).filter((e) => !matches(e, labels)).map(expressionText),
  );
  return failures.some((f) => f.length === 0) ? [] : failures.flat();
}

function matches(e: V1NodeSelectorRequirement, labels: Record<string, string>): boolean {
  const value = labels[e.key];
  const values = e.values ?? [];
  switch (e.operator) {
    case 'In':
      return value !== undefined && values.includes(value);
    case 'NotIn':
      return value === undefined || !values.includes(value);
    case 'Exists':
      return value !== undefined;
    case 'DoesNotExist':
      return value === undefined;
    case 'Gt':
      return value !== undefined && Number(value) > Number(values[0]);
    case 'Lt':
      return value !== undefined && Number(value) < Number(values[0]);
    default:
      return false;
  }
}

function expressionText(e: V1NodeSelectorRequirement): string {
  return `${e.key} ${e.operator}${e.values?.length ? ` (${e.values.join(', ')})` : ''}`;
}
