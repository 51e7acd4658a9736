import type { KObject } from '../../api/store.ts';

/**
 * Whether a live object is what Git declares: every field the manifest sets must have the same
 * value live, and fields the manifest leaves out are the cluster's business (status, defaults,
 * what controllers add). Lists compare item by item, keyed by `name` where the items have one. What differs comes back as `path: desired →
 * live`, so that a person sees what drifted and how.
 */
export type Drift = { path: string; desired: unknown; live: unknown };

const IGNORED_METADATA = new Set([
  'uid',
  'resourceVersion',
  'generation',
  'creationTimestamp',
  'managedFields',
  'namespace',
  'name',
]);

export function driftOf(desired: KObject, live: KObject): Drift[] {
  const out: Drift[] = [];
  for (const [key, value] of Object.entries(desired)) {
    if (key === 'status' || key === 'apiVersion' || key === 'kind') continue;
    if (key === 'metadata') {
      for (const [field, v] of Object.entries(value as Record<string, unknown>)) {
        if (IGNORED_METADATA.has(field)) continue;
        compare(v, (live.metadata as Record<string, unknown>)[field], `metadata.${field}`, out);
      }
      continue;
    }
    compare(value, live[key], key, out);
  }
  return out;
}

function compare(desired: unknown, live: unknown, path: string, out: Drift[]): void {
  if (Array.isArray(desired)) {
    compareList(desired, live, path, out);
    return;
  }
  if (isRecord(desired)) {
    if (!isRecord(live)) {
      out.push({ path, desired, live });
      return;
    }
    for (const [key, value] of Object.entries(desired))
      compare(value, live[key], `${path}.${key}`, out);
    return;
  }
  if (!sameScalar(desired, live)) out.push({ path, desired, live });
}

function compareList(desired: unknown[], live: unknown, path: string, out: Drift[]): void {
  if (!Array.isArray(live)) {
    if (desired.length > 0 || live !== undefined) out.push({ path, desired, live });
    return;
  }
  const named = desired.every((item) => isRecord(item) && typeof item.name === 'string');
  if (named) {
    for (const item of desired as Record<string, unknown>[]) {
      const match = live.find((l) => isRecord(l) && l.name === item.name);
      compare(item, match, `${path}[${String(item.name)}]`, out);
    }
    const extra = live.filter(
      (l) => !(desired as Record<string, unknown>[]).some((d) => isRecord(l) && d.name === l.name),
    );
    for (const item of extra)
      out.push({
        path: `${path}[${String((item as { name?: unknown }).name)}]`,
        desired: undefined,
        live: item,
      });
    return;
  }
  if (desired.length !== live.length) {
    out.push({ path, desired, live });
    return;
  }
  for (const [i, item] of desired.entries()) compare(item, live[i], `${path}[${i}]`, out);
}

/** Equal as the API server would store them: `3` and `"3"` in a quantity are the same. */
function sameScalar(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (
    (typeof a === 'number' || typeof a === 'string') &&
    (typeof b === 'number' || typeof b === 'string')
  )
    return String(a) === String(b);
  return false;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
