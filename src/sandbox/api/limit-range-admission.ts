import { findResource, type ResourceType } from './catalog.ts';
import type { KObject, ObjectStore } from './store.ts';

/**
 * The LimitRanger admission plugin's defaulting: a new pod's containers get the namespace's
 * LimitRange default limits and requests for what they leave out, and the pod says so in its
 * `kubernetes.io/limit-ranger` annotation. Runs before ResourceQuota, as in the real chain, so
 * defaulted containers satisfy a compute quota.
 */
const LIMIT_RANGES = findResource('', 'v1', 'limitranges') as ResourceType;
const ANNOTATION = 'kubernetes.io/limit-ranger';

type Quantities = Record<string, string>;
type Limit = {
  type?: string;
  default?: Quantities;
  defaultRequest?: Quantities;
  max?: Quantities;
};
type Container = { name?: string; resources?: { limits?: Quantities; requests?: Quantities } };

/** A LimitRange as the API server stores it: a Container limit's defaults filled from its max. */
export function defaultLimitRange(range: KObject): void {
  for (const limit of (range.spec as { limits?: Limit[] } | undefined)?.limits ?? []) {
    if (limit.type !== 'Container') continue;
    if (limit.default === undefined && limit.max !== undefined) limit.default = { ...limit.max };
    if (limit.defaultRequest === undefined && limit.default !== undefined)
      limit.defaultRequest = { ...limit.default };
  }
}

export function applyLimitRanges(store: ObjectStore, pod: KObject): void {
  const limits = store
    .list(LIMIT_RANGES, pod.metadata.namespace)
    .flatMap((r) => (r.spec as { limits?: Limit[] } | undefined)?.limits ?? [])
    .filter((l) => l.type === 'Container');
  if (limits.length === 0) return;
  const said: string[] = [];
  const containers = (pod.spec as { containers?: Container[] } | undefined)?.containers;
  for (const container of Array.isArray(containers) ? containers : []) {
    for (const limit of limits) said.push(...fill(container, limit));
  }
  if (said.length === 0) return;
  pod.metadata.annotations = {
    ...(pod.metadata.annotations ?? {}),
    [ANNOTATION]: `LimitRanger plugin set: ${said.join('; ')}`,
  };
}

/** Fills one container's missing requests and limits; what it set, as the annotation words it. */
function fill(container: Container, limit: Limit): string[] {
  container.resources ??= {};
  const set = (kind: 'requests' | 'limits', defaults: Quantities | undefined): string[] => {
    const own = { ...(container.resources?.[kind] ?? {}) };
    const added = Object.keys(defaults ?? {})
      .filter((k) => own[k] === undefined)
      .sort();
    for (const k of added) own[k] = String(defaults?.[k]);
    if (added.length > 0 && container.resources !== undefined) container.resources[kind] = own;
    return added;
  };
  const requests = set('requests', limit.defaultRequest);
  const limitsSet = set('limits', limit.default);
  const out: string[] = [];
  if (requests.length > 0)
    out.push(`${requests.join(', ')} request for container ${container.name}`);
  if (limitsSet.length > 0)
    out.push(`${limitsSet.join(', ')} limit for container ${container.name}`);
  return out;
}
