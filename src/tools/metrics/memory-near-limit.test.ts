import { describe, expect, it } from 'vitest';
import { leadLines } from '../kubernetes/finding-lead.ts';
import { type MemoryFigures, memoryNearLimit } from './memory-near-limit.ts';

const MI = 1024 * 1024;

/** The payments container after its limit was raised to 384Mi: at 0.9896 of it at its peak. */
const payments: MemoryFigures = {
  namespace: 'payments',
  pod: 'payments-7d9f-abcde',
  container: 'api',
  peak: 0.9896,
  last: 0.9766,
  limitBytes: 384 * MI,
  source: 'working set / limit, last 60 min',
};

describe('memoryNearLimit', () => {
  it('leads with the container, its limit, and the peak and last figures Prometheus measured', () => {
    const finding = memoryNearLimit(payments);

    expect(finding && leadLines(finding)).toEqual([
      'payments/payments-7d9f-abcde container api uses 99 % of its memory limit',
      'Cause: its memory working set reached 99 % of its 384Mi memory limit in the last hour (peak 380Mi, last 375Mi): a little more and the kernel kills it (OOMKilled)',
      'Confidence: certain — Prometheus measured it: working set over limit above 0.9, the threshold of KubeContainerMemoryNearLimit',
    ]);
    expect(finding).toMatchObject({
      rule: 'memory-near-limit',
      severity: 'warning',
      object: { kind: 'Pod', namespace: 'payments', name: 'payments-7d9f-abcde' },
    });
    expect(finding?.evidence).toEqual([
      'Prometheus working set / limit, last 60 min: {container="api", pod="payments-7d9f-abcde"} max 0.9896 last 0.9766',
      'Prometheus kube_pod_container_resource_limits{namespace="payments", pod="payments-7d9f-abcde", container="api", resource="memory"}: 402653184 (384Mi)',
    ]);
  });

  it("finds nothing at or under the shipped rule's threshold, nor without a figure", () => {
    expect(memoryNearLimit({ ...payments, peak: 0.9, last: 0.9 })).toBeUndefined();
    expect(memoryNearLimit({ ...payments, peak: 0.8789, last: 0.8789 })).toBeUndefined();
    expect(memoryNearLimit({ ...payments, peak: Number.NaN })).toBeUndefined();
    expect(memoryNearLimit({ ...payments, peak: 0.9001 })).toBeDefined();
  });
});
