import { runTool } from '../tool.ts';
import type { MetricsContext } from './context.ts';
import { promqlRangeTool, promqlTool } from './promql.ts';

/**
 * What the analyzers add from Prometheus when it is configured: the containers of a namespace
 * that restarted in the last hour, and their memory against its limit over that hour
 * (kube-state-metrics and cAdvisor series). Text for a report; a failure says why in one line.
 */
export async function lastHourMetrics(context: MetricsContext, namespace: string): Promise<string> {
  // A namespace name cannot close the PromQL string; anything else is not queried.
  if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(namespace)) return '';
  const ns = `namespace="${namespace}"`;
  const [restarts, memory] = await Promise.all([
    runTool(promqlTool, context, {
      query: `round(sum by (pod, container) (increase(kube_pod_container_status_restarts_total{${ns}}[1h]))) > 0`,
      limit: 10,
    }),
    runTool(promqlRangeTool, context, {
      query: `max by (pod, container) (container_memory_working_set_bytes{${ns}, container!=""}) / on (pod, container) max by (pod, container) (kube_pod_container_resource_limits{${ns}, resource="memory"})`,
      minutes: 60,
      sortBy: 'max',
      limit: 10,
    }),
  ]);
  return [
    'Restarts in the last hour (per container):',
    restarts.ok
      ? restarts.text.replace(
          /^no series match .*/,
          'none in what Prometheus holds (it may hold less than an hour; the cluster says how many restarts in all)',
        )
      : restarts.error,
    '',
    'Memory working set as a share of the memory limit, last hour (1 = at the limit):',
    memory.ok
      ? memory.text.replace(
          /^no series match .*/,
          'no container with a memory limit has reported memory to Prometheus yet',
        )
      : memory.error,
  ].join('\n');
}
