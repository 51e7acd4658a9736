import { parseCpu, parseMemory } from '../../shared/quantity.ts';
import type { ResourceType } from './catalog.ts';
import type { KObject } from './store.ts';

/**
 * The arithmetic of ResourceQuota: what one object counts toward a quota (a pod's requests and
 * limits, one service, one claim's storage…), totals, and quantities parsed and printed as the
 * quota controller prints them. Compute resources are in millicores and bytes.
 */
export type Usage = Record<string, number>;

type Resources = { limits?: Record<string, string>; requests?: Record<string, string> };
type Container = { name?: string; resources?: Resources };

/** The resources whose presence a quota on them makes every container state. */
const COMPUTE = ['cpu', 'memory', 'requests.cpu', 'requests.memory', 'limits.cpu', 'limits.memory'];

export function isCpu(resource: string): boolean {
  return resource === 'cpu' || resource.endsWith('.cpu');
}

function isBytes(resource: string): boolean {
  return /(^|\.)(memory|storage|ephemeral-storage)$/.test(resource);
}

export function parseQuantity(resource: string, value: string): number | undefined {
  return isCpu(resource) ? parseCpu(value) : parseMemory(value);
}

/** As `kubectl get quota` shows it: `500m` or `2` cores, `256Mi` or bytes, plain counts. */
export function formatQuantity(resource: string, value: number): string {
  if (isCpu(resource)) return value % 1000 === 0 ? String(value / 1000) : `${Math.round(value)}m`;
  if (isBytes(resource) && value > 0) {
    for (const [unit, size] of [
      ['Ti', 2 ** 40],
      ['Gi', 2 ** 30],
      ['Mi', 2 ** 20],
      ['Ki', 2 ** 10],
    ] as const)
      if (value % size === 0) return `${value / size}${unit}`;
  }
  return String(Math.round(value));
}

/** The name a quota counts objects of a resource by: `count/deployments.apps`, `count/pods`. */
export function countName(type: ResourceType): string {
  return type.group === '' ? `count/${type.plural}` : `count/${type.plural}.${type.group}`;
}

/** A container's requests and limits, requests falling back to limits as pod defaulting does. */
function containerUsage(container: Container): Usage {
  const limits = container.resources?.limits ?? {};
  const requests = { ...limits, ...(container.resources?.requests ?? {}) };
  const out: Usage = {};
  for (const resource of ['cpu', 'memory']) {
    const request = requests[resource];
    const limit = limits[resource];
    if (request !== undefined) {
      const value = parseQuantity(resource, request) ?? 0;
      out[resource] = value;
      out[`requests.${resource}`] = value;
    }
    if (limit !== undefined) out[`limits.${resource}`] = parseQuantity(resource, limit) ?? 0;
  }
  return out;
}

function podCounts(pod: KObject): boolean {
  const phase = (pod.status as { phase?: string } | undefined)?.phase;
  return phase !== 'Succeeded' && phase !== 'Failed';
}

/** What one object of `type` counts toward a quota. */
export function usageOf(type: ResourceType, object: KObject): Usage {
  const out: Usage = { [countName(type)]: 1 };
  if (type.group !== '') return out;
  const spec = (object.spec ?? {}) as Record<string, unknown>;
  switch (type.plural) {
    case 'pods': {
      if (!podCounts(object)) return {};
      out.pods = 1;
      for (const c of (spec.containers ?? []) as Container[]) add(out, containerUsage(c));
      return out;
    }
    case 'services': {
      out.services = 1;
      const ports = ((spec.ports ?? []) as unknown[]).length;
      if (spec.type === 'NodePort') out['services.nodeports'] = ports;
      if (spec.type === 'LoadBalancer') {
        out['services.loadbalancers'] = 1;
        out['services.nodeports'] = ports;
      }
      return out;
    }
    case 'persistentvolumeclaims': {
      out.persistentvolumeclaims = 1;
      const storage = (spec.resources as Resources | undefined)?.requests?.storage;
      out['requests.storage'] = parseMemory(storage ?? '0') ?? 0;
      return out;
    }
    case 'configmaps':
    case 'secrets':
    case 'replicationcontrollers':
    case 'resourcequotas':
      out[type.plural] = 1;
      return out;
    default:
      return out;
  }
}

export function add(total: Usage, more: Usage): Usage {
  for (const [key, value] of Object.entries(more)) total[key] = (total[key] ?? 0) + value;
  return total;
}

/** A quota's `spec.hard`, parsed; values that do not parse are left out. */
export function hardOf(quota: KObject): Usage {
  const hard = ((quota.spec as { hard?: Record<string, string> } | undefined)?.hard ??
    {}) as Record<string, string>;
  const out: Usage = {};
  for (const [key, value] of Object.entries(hard)) {
    const parsed = parseQuantity(key, String(value));
    if (parsed !== undefined) out[key] = parsed;
  }
  return out;
}

/** `used` summed over the objects, for the resources the quota limits. */
export function usedFor(hard: Usage, usages: Usage[]): Usage {
  const total: Usage = {};
  for (const key of Object.keys(hard)) total[key] = 0;
  for (const usage of usages)
    for (const key of Object.keys(hard)) total[key] = (total[key] ?? 0) + (usage[key] ?? 0);
  return total;
}

/** The resources that, with `requested` added to `used`, go beyond `hard`. */
export function exceeded(hard: Usage, used: Usage, requested: Usage): string[] {
  return Object.keys(hard)
    .filter(
      (key) => key in requested && (used[key] ?? 0) + (requested[key] ?? 0) > (hard[key] ?? 0),
    )
    .sort();
}

/**
 * For a quota on compute resources, each container must state them: `limits.cpu for: app` per
 * missing resource (sorted, as the quota evaluator lists them), empty when all are stated.
 */
export function missingCompute(hard: Usage, containers: Container[]): string[] {
  const required = COMPUTE.filter((r) => r in hard);
  const missing = new Map<string, string[]>();
  for (const c of containers) {
    const has = containerUsage(c);
    for (const r of required)
      if (!(r in has)) missing.set(r, [...(missing.get(r) ?? []), c.name ?? '']);
  }
  return [...missing.keys()]
    .sort()
    .map((r) => `${r} for: ${[...(missing.get(r) ?? [])].sort().join(',')}`);
}

/** `pods=1,requests.cpu=500m`: a list as the quota admission prints it in its refusals. */
export function printList(usage: Usage, keys: string[], raw?: Record<string, string>): string {
  return keys.map((k) => `${k}=${raw?.[k] ?? formatQuantity(k, usage[k] ?? 0)}`).join(',');
}
