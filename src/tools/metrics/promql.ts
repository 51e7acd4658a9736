import { z } from 'zod';
import { defineTool, type ToolScope } from '../tool.ts';
import type { MetricsContext } from './context.ts';
import { prometheusGet } from './http.ts';
import { formatLabels } from './labels.ts';
import { QueryData, RangeData } from './schema.ts';
import {
  formatSummary,
  type SeriesSummary,
  STATS,
  summariseSeries,
  topSeries,
} from './summarise.ts';

/** More series than this are left out of an answer, with their count. */
export const MAX_SERIES = 50;

/** Prometheus's series may come from any namespace: a channel must be able to see them all. */
export const METRICS_SCOPE: ToolScope = {
  namespaces: 'all',
  reason: 'Prometheus and Alertmanager hold series and alerts from every namespace',
};

const Query = z
  .string()
  .min(1)
  .max(2_000)
  .describe('PromQL expression, e.g. sum by (pod) (rate(container_cpu_usage_seconds_total[5m]))');

const Limit = z
  .number()
  .int()
  .min(1)
  .max(MAX_SERIES)
  .default(20)
  .describe('How many series to show at most; the rest are counted');

export const promqlTool = defineTool({
  name: 'promql',
  description:
    'Evaluates a PromQL expression now (instant query) against Prometheus and lists each series with its value, highest first. Use aggregations (sum by, topk) to keep results small.',
  input: z.object({ query: Query, limit: Limit }),
  verb: 'get',
  scope: () => METRICS_SCOPE,
  async run(context: MetricsContext, input) {
    const data = QueryData.parse(
      await prometheusGet(context, '/api/v1/query', { query: input.query }),
    );
    switch (data.resultType) {
      case 'scalar':
      case 'string':
        return `${data.resultType}: ${data.result[1]}`;
      case 'vector': {
        if (data.result.length === 0) return `no series match ${input.query}`;
        const ranked = [...data.result].sort(
          (a, b) => sampleValue(b.value[1]) - sampleValue(a.value[1]),
        );
        const shown = ranked.slice(0, input.limit);
        const lines = shown.map((s) => `${formatLabels(s.metric)} ${s.value[1]}`);
        return withLeftOut(`${data.result.length} series`, lines, ranked.length - shown.length);
      }
      case 'matrix': {
        const summaries = data.result.flatMap((s) => summariseSeries(s.metric, s.values) ?? []);
        return summarised(summaries, 'max', input.limit, data.result.length);
      }
    }
  },
});

export const promqlRangeTool = defineTool({
  name: 'promql_range',
  description:
    'Evaluates a PromQL expression over a past window (range query) and summarises each series: min, max, avg, last, change and trend (rising, falling, flat). Ranked by the chosen figure; raw points are never shown.',
  input: z.object({
    query: Query,
    minutes: z
      .number()
      .int()
      .min(1)
      .max(7 * 24 * 60)
      .default(60)
      .describe('How far back the window reaches, in minutes (ends now)'),
    stepSeconds: z
      .number()
      .int()
      .min(1)
      .max(3_600)
      .optional()
      .describe('Resolution in seconds; by default about 200 points over the window'),
    sortBy: z
      .enum(STATS)
      .default('max')
      .describe('The figure the series are ranked by, highest first (change: by size)'),
    limit: Limit,
  }),
  verb: 'get',
  scope: () => METRICS_SCOPE,
  async run(context: MetricsContext, input) {
    const end = Date.now() / 1000;
    const window = input.minutes * 60;
    const step = input.stepSeconds ?? Math.max(1, Math.ceil(window / 200));
    const data = RangeData.parse(
      await prometheusGet(context, '/api/v1/query_range', {
        query: input.query,
        start: String(end - window),
        end: String(end),
        step: String(step),
      }),
    );
    if (data.result.length === 0)
      return `no series match ${input.query} in the last ${input.minutes} min`;
    const summaries = data.result.flatMap((s) => summariseSeries(s.metric, s.values) ?? []);
    const header = `last ${input.minutes} min, step ${step} s`;
    return `${header}\n${summarised(summaries, input.sortBy, input.limit, data.result.length)}`;
  },
});

function summarised(
  summaries: readonly SeriesSummary[],
  by: (typeof STATS)[number],
  limit: number,
  total: number,
): string {
  const { shown, leftOut } = topSeries(summaries, by, limit);
  const empty = total - summaries.length;
  const note = empty > 0 ? `, ${empty} with no finite value` : '';
  return withLeftOut(`${total} series${note}, ranked by ${by}`, shown.map(formatSummary), leftOut);
}

function withLeftOut(header: string, lines: readonly string[], leftOut: number): string {
  const tail =
    leftOut > 0 ? [`… ${leftOut} more series left out; narrow the query or aggregate`] : [];
  return [header, ...lines, ...tail].join('\n');
}

function sampleValue(text: string): number {
  const value = Number(text);
  return Number.isNaN(value) ? Number.NEGATIVE_INFINITY : value;
}
