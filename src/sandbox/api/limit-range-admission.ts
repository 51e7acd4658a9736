import { findResource, type ResourceType } from './catalog.ts';
import { parseQuantity } from './quota-usage.ts';
import { ApiError, type KObject, type ObjectStore } from './store.ts';

/**
 * The LimitRanger admission plugin: a new pod's containers get the namespace's LimitRange
 * default limits and requests for what they leave out (the pod says so in its
 * `kubernetes.io/limit-ranger` annotation), and a container beyond a range's max or below its
 * min is refused with the plugin's 403. Runs before ResourceQuota, as in the real chain, so
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
  min?: Quantities;
};
type Container = { name?: string; resources?: { limits?: Quantities; requests?: Quantities } };

/**
 * A LimitRange as the API server stores it: per resource, a Container limit's default from its
 * max, its default request from its default, else from its min.
 */
export function defaultLimitRange(range: KObject): void {
  for (const limit of (range.spec as { limits?: Limit[] } | undefined)?.limits ?? []) {
    if (limit.type !== 'Container') continue;
    limit.default = { ...(limit.max ?? {}), ...(limit.default ?? {}) };
    limit.defaultRequest = {
      ...(limit.min ?? {}),
      ...limit.default,
      ...(limit.defaultRequest ?? {}),
    };
  }
}

export function applyLimitRanges(store: ObjectStore, pod: KObject): void {
  const limits = store
    .view(LIMIT_RANGES, pod.metadata.namespace)
    .flatMap((r) => (r.spec as { limits?: Limit[] } | undefined)?.limits ?? [])
    .filter((l) => l.type === 'Container');
  if (limits.length === 0) return;
  const said: string[] = [];
  const containers = (pod.spec as { containers?: Container[] } | undefined)?.containers;
  for (const container of Array.isArray(containers) ? containers : []) {
    for (const limit of limits) said.push(...fill(container, limit));
  }
  if (said.length > 0) {
    pod.metadata.annotations = {
      ...(pod.metadata.annotations ?? {}),
      [ANNOTATION]: `LimitRanger plugin set: ${said.join('; ')}`,
    };
  }
  const problems = (Array.isArray(containers) ? containers : []).flatMap((c) =>
    limits.flatMap((l) => bounds(c, l)),
  );
  if (problems.length === 0) return;
  const name = pod.metadata.name || pod.metadata.generateName || 'Unknown';
  const message = problems.length === 1 ? problems[0] : `[${problems.join(', ')}]`;
  throw new ApiError(403, 'Forbidden', `pods "${name}" is forbidden: ${message}`, {
    name,
    kind: 'pods',
  });
}

/** A container's limits above the range's max and requests below its min, in the plugin's words. */
function bounds(container: Container, limit: Limit): string[] {
  const out: string[] = [];
  const limits = container.resources?.limits ?? {};
  const requests = container.resources?.requests ?? {};
  for (const [resource, max] of Object.entries(limit.max ?? {})) {
    const own = limits[resource];
    if (own === undefined)
      out.push(`maximum ${resource} usage per Container is ${max}.  No limit is specified`);
    else if ((parseQuantity(resource, own) ?? 0) > (parseQuantity(resource, max) ?? 0))
      out.push(`maximum ${resource} usage per Container is ${max}, but limit is ${own}`);
  }
  for (const [resource, min] of Object.entries(limit.min ?? {})) {
    const own = requests[resource];
    if (own === undefined)
      out.push(`minimum ${resource} usage per Container is ${min}.  No request is specified`);
    else if ((parseQuantity(resource, own) ?? 0) < (parseQuantity(resource, min) ?? 0))
      out.push(`minimum ${resource} usage per Container is ${min}, but request is ${own}`);
  }
  return out;
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
