import { describe, expect, it } from 'vitest';
import { Exposition } from './exposition.ts';

describe('the exposition format', () => {
  it('writes HELP and TYPE before a family and escapes label values', () => {
    const out = new Exposition();

    out
      .family('kube_pod_info', 'gauge', 'Information about pod.\nSecond line.')
      .sample({ pod: 'a"b', note: 'back\\slash\nnew' }, 1)
      .family(
        'container_cpu_usage_seconds_total',
        'counter',
        'Cumulative cpu time consumed in seconds.',
      )
      .sample({ cpu: 'total' }, 0.125);

    expect(out.text()).toBe(
      [
        '# HELP kube_pod_info Information about pod.\\nSecond line.',
        '# TYPE kube_pod_info gauge',
        'kube_pod_info{pod="a\\"b",note="back\\\\slash\\nnew"} 1',
        '# HELP container_cpu_usage_seconds_total Cumulative cpu time consumed in seconds.',
        '# TYPE container_cpu_usage_seconds_total counter',
        'container_cpu_usage_seconds_total{cpu="total"} 0.125',
        '',
      ].join('\n'),
    );
  });

  it('spells the special values as Prometheus parses them', () => {
    const out = new Exposition().family('x', 'gauge', 'x.');

    out
      .sample({}, Number.NaN)
      .sample({}, Number.POSITIVE_INFINITY)
      .sample({}, Number.NEGATIVE_INFINITY);

    expect(out.text().split('\n').slice(2, 5)).toEqual(['x{} NaN', 'x{} +Inf', 'x{} -Inf']);
  });
});
