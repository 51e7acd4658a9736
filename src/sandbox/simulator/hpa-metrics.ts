import { formatMemory, parseCpu, parseMemory } from '../../shared/quantity.ts';
import type { KObject } from '../api/store.ts';
import type { ControllerContext } from './controller-kit.ts';
import { type PodSample, type ResourceTarget, recommend } from './hpa-replicas.ts';

/**
 * One autoscaler metric read as the real controller reads it: the target from the spec, each
 * pod's usage from the metrics API and its requests, the recommendation, and its entry of
 * status.currentMetrics with the name the conditions and events use.
 */
export type MetricSpec = {
  type?: string;
  resource?: {
    name?: string;
    target?: { type?: string; averageUtilization?: number; averageValue?: string };
  };
};

export type Computed = { replicas: number; metric: Record<string, unknown>; name: string };

type Container = { name: string; resources?: { requests?: Record<string, string> } };

/** One Resource metric's recommendation, with its entry of status.currentMetrics. */
export function computeMetric(
  metric: MetricSpec,
  current: number,
  pods: KObject[],
  context: ControllerContext,
): Computed | { error: string } {
  const resource = metric.resource?.name ?? '';
  if (metric.type !== 'Resource' || (resource !== 'cpu' && resource !== 'memory')) {
    return {
      error: `the sandbox serves only cpu and memory Resource metrics, not ${metric.type} ${resource}`,
    };
  }
  const spec = metric.resource?.target ?? {};
  const parse = resource === 'cpu' ? parseCpu : parseMemory;
  const target: ResourceTarget | undefined =
    spec.type === 'Utilization' && spec.averageUtilization !== undefined
      ? { kind: 'Utilization', percent: spec.averageUtilization }
      : spec.type === 'AverageValue' && spec.averageValue !== undefined
        ? { kind: 'AverageValue', value: parse(spec.averageValue) ?? 0 }
        : undefined;
  if (target === undefined) return { error: `invalid ${resource} target` };
  const samples = pods.map((pod) => sample(pod, resource, context));
  const result = recommend(resource, target, current, samples);
  if ('error' in result) {
    const what = target.kind === 'Utilization' ? 'utilization' : 'usage';
    return { error: `failed to get ${resource} ${what}: ${result.error}` };
  }
  const value =
    resource === 'cpu' ? `${Math.round(result.averageValue)}m` : formatMemory(result.averageValue);
  const currentValue =
    result.utilization === undefined
      ? { averageValue: value }
      : { averageUtilization: result.utilization, averageValue: value };
  const name =
    target.kind === 'Utilization'
      ? `${resource} resource utilization (percentage of request)`
      : `${resource} resource`;
  return {
    replicas: result.replicas,
    metric: { type: 'Resource', resource: { name: resource, current: currentValue } },
    name,
  };
}

/** With no metrics in its spec an autoscaler targets 80% cpu, as autoscaling/v2 defaults it. */
export function defaultMetrics(): MetricSpec[] {
  return [
    {
      type: 'Resource',
      resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 80 } },
    },
  ];
}

/** A pod's usage as the metrics API reports it, and its containers' requests. */
function sample(pod: KObject, resource: 'cpu' | 'memory', context: ControllerContext): PodSample {
  const usage = context.usage(pod);
  const containers = (pod.spec as { containers?: Container[] }).containers ?? [];
  const parse = resource === 'cpu' ? parseCpu : parseMemory;
  let request = 0;
  let missingIn: string | undefined;
  for (const c of containers) {
    const value = c.resources?.requests?.[resource];
    if (value === undefined) missingIn ??= c.name;
    else request += parse(value) ?? 0;
  }
  return {
    pod: pod.metadata.name,
    usage: usage.length === 0 ? undefined : usage.reduce((sum, u) => sum + u[resource], 0),
    request: missingIn === undefined ? request : { missingIn },
  };
}
