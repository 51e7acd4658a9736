import type { Finding } from '../kubernetes/analyzers/index.ts';
import { runTool } from '../tool.ts';
import type { MetricsContext } from './context.ts';
import { prometheusGet } from './http.ts';
import { memoryNearLimit } from './memory-near-limit.ts';
import { promqlRangeTool, promqlTool } from './promql.ts';
import { QueryData, RangeData } from './schema.ts';
import { summariseSeries } from './summarise.ts';

/**
 * What the analyzers add from Prometheus when it is configured: the containers of a namespace
 * that restarted in the last hour, and their memory against its limit over that hour
 * (kube-state-metrics and cAdvisor series). Text for a report; a failure says why in one line.
 */
export async function lastHourMetrics(context: MetricsContext, namespace: string): Promise<string> {
  if (!queryable(namespace)) return '';
  const ns = `namespace="${namespace}"`;
  const [restarts, memory] = await Promise.all([
    runTool(promqlTool, context, {
      query: `round(sum by (pod, container) (increase(kube_pod_container_status_restarts_total{${ns}}[1h]))) > 0`,
      limit: 10,
    }),
    runTool(promqlRangeTool, context, {
      query: memoryShare(namespace),
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

/** A namespace name cannot close the PromQL string; anything else is not queried. */
function queryable(namespace: string): boolean {
  return /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(namespace);
}

/** Each container's memory working set as a share of its memory limit. */
function memoryShare(namespace: string): string {
  const ns = `namespace="${namespace}"`;
  return `max by (pod, container) (container_memory_working_set_bytes{${ns}, container!=""}) / on (pod, container) ${memoryLimits(namespace)}`;
}

function memoryLimits(namespace: string): string {
  return `max by (pod, container) (kube_pod_container_resource_limits{namespace="${namespace}", resource="memory"})`;
}

/**
 * The containers of a namespace whose memory came near their limit in the last hour, as findings
 * for the answer's lead. Only containers that have a limit now: a pod replaced since (the one an
 * approved fix replaced) is history. None when Prometheus cannot answer: the report above says why.
 */
export async function lastHourMemoryFindings(
  context: MetricsContext,
  namespace: string,
): Promise<Finding[]> {
  if (!queryable(namespace)) return [];
  const end = Date.now() / 1000;
  try {
    const [range, limits] = await Promise.all([
      prometheusGet(context, '/api/v1/query_range', {
        query: memoryShare(namespace),
        start: String(end - 3_600),
        end: String(end),
        step: '18',
      }).then((data) => RangeData.parse(data)),
      prometheusGet(context, '/api/v1/query', { query: memoryLimits(namespace) }).then((data) =>
        QueryData.parse(data),
      ),
    ]);
    if (limits.resultType !== 'vector') return [];
    const limitOf = (pod: string, container: string) =>
      Number(
        limits.result.find((s) => s.metric.pod === pod && s.metric.container === container)
          ?.value[1],
      );
    return range.result.flatMap(({ metric, values }) => {
      const summary = summariseSeries(metric, values);
      const { pod, container } = metric;
      if (summary === undefined || pod === undefined || container === undefined) return [];
      const limitBytes = limitOf(pod, container);
      if (!(limitBytes > 0)) return [];
      const source =
        'container_memory_working_set_bytes / kube_pod_container_resource_limits{resource="memory"}, last 60 min';
      const { max: peak, last } = summary;
      const figures = { namespace, pod, container, peak, last, limitBytes, source };
      return memoryNearLimit(figures) ?? [];
    });
  } catch {
    return [];
  }
}
