import { REDACTED, redactText } from './redact.ts';

const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';
const CONTAINER_LISTS = ['containers', 'initContainers', 'ephemeralContainers'] as const;

/**
 * A copy of a Kubernetes object fit to leave a tool: no Secret data, no last-applied annotation
 * (it repeats the whole spec, env values included), no managed-fields noise, env values replaced
 * (names and `valueFrom` references stay, since they say where a value comes from), and every
 * remaining string passed through `redactText`.
 */
export function redactObject<T>(value: T): T {
  const copy = structuredClone(value);
  scrub(copy);
  return redactStrings(copy) as T;
}

function scrub(node: unknown): void {
  if (Array.isArray(node)) {
    for (const item of node) scrub(item);
    return;
  }
  if (!isRecord(node)) return;
  if (node.kind === 'Secret') {
    delete node.data;
    delete node.stringData;
  }
  const metadata = node.metadata;
  if (isRecord(metadata)) {
    delete metadata.managedFields;
    if (isRecord(metadata.annotations)) delete metadata.annotations[LAST_APPLIED];
  }
  for (const list of CONTAINER_LISTS) {
    const containers = node[list];
    if (!Array.isArray(containers)) continue;
    for (const container of containers) {
      if (!isRecord(container) || !Array.isArray(container.env)) continue;
      for (const env of container.env) {
        if (isRecord(env) && 'value' in env) env.value = REDACTED;
      }
    }
  }
  for (const child of Object.values(node)) scrub(child);
}

function redactStrings(node: unknown): unknown {
  if (typeof node === 'string') return redactText(node);
  if (Array.isArray(node)) return node.map(redactStrings);
  if (!isRecord(node)) return node;
  for (const [key, child] of Object.entries(node)) node[key] = redactStrings(child);
  return node;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
