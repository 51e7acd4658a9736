import { formatLabels } from './labels.ts';
import type { Labels } from './schema.ts';

/**
 * A range query's series as figures a model can reason with: per series min, max, avg, last,
 * the change over the window and its trend, ranked by a chosen figure and cut to the top few.
 * Raw points never leave here.
 */

export const STATS = ['max', 'min', 'avg', 'last', 'change'] as const;
export type Stat = (typeof STATS)[number];

export type Trend = 'rising' | 'falling' | 'flat' | 'unknown';

export type SeriesSummary = {
  labels: Labels;
  points: number;
  min: number;
  max: number;
  avg: number;
  first: number;
  last: number;
  /** last - first */
  change: number;
  /** The change as a share of the first value; undefined when that is 0. */
  changePercent: number | undefined;
  trend: Trend;
};

/** Below this share of the series' typical size over the window, a slope counts as flat. */
const FLAT_SHARE = 0.01;

/** The figures of one series; NaN and ±Inf samples (stale, divide by zero) are left out. */
export function summariseSeries(
  labels: Labels,
  values: readonly (readonly [number, string])[],
): SeriesSummary | undefined {
  const points = values
    .map(([t, v]) => [t, Number(v)] as const)
    .filter(([, v]) => Number.isFinite(v));
  const firstPoint = points[0];
  const lastPoint = points[points.length - 1];
  if (firstPoint === undefined || lastPoint === undefined) return undefined;
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  let sum = 0;
  for (const [, v] of points) {
    min = Math.min(min, v);
    max = Math.max(max, v);
    sum += v;
  }
  const first = firstPoint[1];
  const last = lastPoint[1];
  const avg = sum / points.length;
  return {
    labels,
    points: points.length,
    min,
    max,
    avg,
    first,
    last,
    change: last - first,
    changePercent: first === 0 ? undefined : ((last - first) / Math.abs(first)) * 100,
    trend: trendOf(points, Math.max(Math.abs(min), Math.abs(max))),
  };
}

/** The least-squares slope over the window, against the series' own size. */
function trendOf(points: readonly (readonly [number, number])[], size: number): Trend {
  if (points.length < 2) return 'unknown';
  const n = points.length;
  const meanT = points.reduce((s, [t]) => s + t, 0) / n;
  const meanV = points.reduce((s, [, v]) => s + v, 0) / n;
  let num = 0;
  let den = 0;
  for (const [t, v] of points) {
    num += (t - meanT) * (v - meanV);
    den += (t - meanT) ** 2;
  }
  if (den === 0) return 'unknown';
  const span = (points[n - 1]?.[0] ?? 0) - (points[0]?.[0] ?? 0);
  const overWindow = (num / den) * span;
  if (size === 0 || Math.abs(overWindow) < FLAT_SHARE * size) return 'flat';
  return overWindow > 0 ? 'rising' : 'falling';
}

/** The series ranked by `by`, highest first (`change`: by size, either way), cut to `limit`. */
export function topSeries(
  series: readonly SeriesSummary[],
  by: Stat,
  limit: number,
): { shown: SeriesSummary[]; leftOut: number } {
  const key = (s: SeriesSummary) => (by === 'change' ? Math.abs(s.change) : s[by]);
  const ranked = [...series].sort((a, b) => key(b) - key(a));
  return { shown: ranked.slice(0, limit), leftOut: Math.max(0, ranked.length - limit) };
}

export function formatSummary(s: SeriesSummary): string {
  const percent = s.changePercent === undefined ? '' : ` (${signed(s.changePercent, '%')})`;
  return `${formatLabels(s.labels)}\n  min ${num(s.min)}  max ${num(s.max)}  avg ${num(s.avg)}  last ${num(s.last)}  change ${signed(s.change)}${percent}  trend ${s.trend}  (${s.points} points)`;
}

/** A figure in at most 4 significant digits, without exponent noise for everyday sizes. */
export function num(value: number): string {
  if (Number.isInteger(value) && Math.abs(value) < 1e15) return String(value);
  const abs = Math.abs(value);
  if (abs !== 0 && (abs < 1e-3 || abs >= 1e15)) return value.toExponential(3);
  return String(Number(value.toPrecision(4)));
}

function signed(value: number, unit = ''): string {
  const text = `${num(value)}${unit}`;
  return value > 0 ? `+${text}` : text;
}
