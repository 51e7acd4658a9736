import { describe, expect, it } from 'vitest';
import { formatSummary, num, summariseSeries, topSeries } from './summarise.ts';

const at = (values: number[], step = 15): [number, string][] =>
  values.map((v, i) => [1_700_000_000 + i * step, String(v)]);

describe('summariseSeries', () => {
  it('gives min, max, avg, last, change and a rising trend for a growing series', () => {
    const summary = summariseSeries({ pod: 'web-1' }, at([10, 20, 30, 40]));

    expect(summary).toMatchObject({
      points: 4,
      min: 10,
      max: 40,
      avg: 25,
      first: 10,
      last: 40,
      change: 30,
      changePercent: 300,
      trend: 'rising',
    });
  });

  it('calls a series flat when it moves less than 1% of its size, and falling when it drops', () => {
    const flat = summariseSeries({}, at([1000, 1001, 999, 1000, 1002]));
    const falling = summariseSeries({}, at([9, 7, 4, 1]));

    expect(flat?.trend).toBe('flat');
    expect(falling?.trend).toBe('falling');
    expect(falling?.changePercent).toBeCloseTo(-88.89, 1);
  });

  it('leaves out NaN and infinite samples, and has no summary when nothing finite is left', () => {
    const values: [number, string][] = [
      [1, 'NaN'],
      [2, '5'],
      [3, '+Inf'],
      [4, '7'],
    ];

    expect(summariseSeries({}, values)).toMatchObject({ points: 2, min: 5, max: 7, first: 5 });
    expect(summariseSeries({}, [[1, 'NaN']])).toBeUndefined();
  });

  it('has no percent change from zero and an unknown trend from one point', () => {
    expect(summariseSeries({}, at([0, 3]))?.changePercent).toBeUndefined();
    expect(summariseSeries({}, at([4]))?.trend).toBe('unknown');
  });
});

describe('topSeries', () => {
  const series = [
    summariseSeries({ pod: 'a' }, at([1, 2, 3])),
    summariseSeries({ pod: 'b' }, at([50, 40, 1])),
    summariseSeries({ pod: 'c' }, at([5, 6, 30])),
  ].flatMap((s) => s ?? []);

  it('ranks by the chosen figure, highest first, and counts what it leaves out', () => {
    const byLast = topSeries(series, 'last', 2);
    const byMax = topSeries(series, 'max', 5);

    expect(byLast.shown.map((s) => s.labels.pod)).toEqual(['c', 'a']);
    expect(byLast.leftOut).toBe(1);
    expect(byMax.shown.map((s) => s.labels.pod)).toEqual(['b', 'c', 'a']);
    expect(byMax.leftOut).toBe(0);
  });

  it('ranks by change by its size, so a fall counts as much as a rise', () => {
    const { shown } = topSeries(series, 'change', 1);

    expect(shown[0]?.labels.pod).toBe('b');
  });
});

describe('formatSummary', () => {
  it('shows the figures and never the raw points', () => {
    const summary = summariseSeries(
      { __name__: 'container_memory_working_set_bytes', pod: 'web-1' },
      at([100.123456, 250.5, 300.75]),
    );

    const text = summary === undefined ? '' : formatSummary(summary);

    expect(text).toBe(
      'container_memory_working_set_bytes{pod="web-1"}\n  min 100.1  max 300.8  avg 217.1  last 300.8  change +200.6 (+200.4%)  trend rising  (3 points)',
    );
    expect(text).not.toContain('250.5');
  });

  it('writes very small and very large figures with an exponent', () => {
    expect(num(0.000012346)).toBe('1.235e-5');
    expect(num(1536)).toBe('1536');
    expect(num(0.5)).toBe('0.5');
  });
});
