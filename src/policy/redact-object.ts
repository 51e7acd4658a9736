import { REDACTED, redactText } from './redact.ts';
import { isHarmlessValue, isSecretKey } from './secret-key.ts';

const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';

/**
 * Deeper than this, a part is replaced by a note: no Kubernetes object nests this far, and the
 * walks below recurse, so a hostile object nested thousands deep would otherwise overflow.
 */
export const MAX_REDACTED_DEPTH = 100;
const TOO_DEEP = `[cut: nested more than ${MAX_REDACTED_DEPTH} levels deep]`;
const CYCLE = '[cut: an object inside itself]';
const CONTAINER_LISTS = ['containers', 'initContainers', 'ephemeralContainers'] as const;

/**
 * A copy of a Kubernetes object fit to leave a tool: no Secret data, no last-applied annotation
 * (it repeats the whole spec, env values included), no managed-fields noise, env values replaced
 * (names and `valueFrom` references stay, since they say where a value comes from), and every
 * remaining string passed through `redactText`. Keys count too: in any map (ConfigMap data,
 * annotations, labels, a custom resource's spec) a string under a key that names a secret is
 * replaced, as is the `value` of a `{ name, value }` pair whose name does (Helm parameters), and
 * the argument after a secret flag in a list of arguments (`["--db-password", "…"]`).
 */
export function redactObject<T>(value: T): T {
  const copy = copyUpTo(value, MAX_REDACTED_DEPTH, new Set());
  scrub(copy);
  return redactStrings(copy) as T;
}

/**
 * A deep copy of plain data (what a Kubernetes client returns), cut below `depth` levels. An
 * object inside itself is cut too; one merely shared is copied for each place it appears.
 */
function copyUpTo(node: unknown, depth: number, within: Set<object>): unknown {
  if (typeof node !== 'object' || node === null) return node;
  if (node instanceof Date) return new Date(node);
  if (depth === 0) return TOO_DEEP;
  if (within.has(node)) return CYCLE;
  within.add(node);
  let copy: unknown;
  if (Array.isArray(node)) copy = node.map((item) => copyUpTo(item, depth - 1, within));
  else {
    const fields: Record<string, unknown> = {};
    for (const [key, child] of Object.entries(node))
      fields[key] = copyUpTo(child, depth - 1, within);
    copy = fields;
  }
  within.delete(node);
  return copy;
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

/** `underSecret`: the map is the value of a secret key, so its `value` is the secret. */
function redactStrings(node: unknown, underSecret = false): unknown {
  if (typeof node === 'string') return redactText(node);
  if (Array.isArray(node)) return redactArguments(node.map((item) => redactStrings(item)));
  if (!isRecord(node)) return node;
  const named = node.name ?? node.key;
  const pairName = typeof named === 'string' ? named : undefined;
  for (const [key, child] of Object.entries(node)) {
    if (LABEL_MAPS.has(key) && isRecord(child)) {
      node[key] = redactLabels(child);
      continue;
    }
    const secretKey =
      isSecretKey(key) ||
      (key === 'value' && (underSecret || (pairName !== undefined && isSecretKey(pairName))));
    node[key] = secretKey && isSecret(child, key) ? REDACTED : redactStrings(child, secretKey);
  }
  return node;
}

/**
 * Labels (and the selectors that match them) are identifiers shown by every `kubectl get`, not
 * a place for credentials: a label `session: sticky` stays, though its text is still redacted.
 */
const LABEL_MAPS = new Set(['labels', 'matchLabels', 'nodeSelector']);

function redactLabels(labels: Record<string, unknown>): Record<string, unknown> {
  for (const [key, value] of Object.entries(labels)) labels[key] = redactStrings(value);
  return labels;
}

/** A string or a number (`pin: 1234` parses as one) that says something; not a flag or a ref. */
function isSecret(value: unknown, key: string): boolean {
  if (typeof value === 'number') return true;
  return typeof value === 'string' && !isHarmlessValue(value, key);
}

/** `["--token", "abc"]`: the argument after a flag that names a secret is one. */
function redactArguments(items: unknown[]): unknown[] {
  for (let i = 1; i < items.length; i++) {
    const flag = items[i - 1];
    const value = items[i];
    if (typeof flag !== 'string' || typeof value !== 'string' || value.startsWith('-')) continue;
    if (/^--?[A-Za-z][\w.-]{0,126}$/.test(flag) && isSecretKey(flag) && isSecret(value, flag))
      items[i] = REDACTED;
  }
  return items;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
