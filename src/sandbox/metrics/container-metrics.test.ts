import { describe, expect, it } from 'vitest';
import type { KObject } from '../api/store.ts';
import { ContainerMetrics, type ContainerUsage } from './container-metrics.ts';
import { Exposition } from './exposition.ts';

const MI = 2 ** 20;

function pod(startedAt: number | undefined): KObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'api-1', namespace: 'payments', uid: 'u1' },
    spec: { containers: [{ name: 'api', image: 'payments:1.4' }] },
    status: {
      containerStatuses: [
        {
          name: 'api',
          state:
            startedAt === undefined
              ? { waiting: { reason: 'CrashLoopBackOff' } }
              : { running: { startedAt: new Date(startedAt).toISOString() } },
        },
      ],
    },
  };
}

function scrape(metrics: ContainerMetrics, p: KObject, usage: ContainerUsage[], now: number) {
  const out = new Exposition();
  metrics.write(out, [p], () => usage, now);
  const value = (name: string) => {
    const line = out
      .text()
      .split('\n')
      .find((l) => l.startsWith(`${name}{`));
    return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(' ') + 1));
  };
  return {
    text: out.text(),
    cpu: value('container_cpu_usage_seconds_total'),
    memory: value('container_memory_working_set_bytes'),
  };
}

describe("cAdvisor's container metrics", () => {
  it('counts CPU seconds from the usage while the container runs and keeps the total across a restart', () => {
    const metrics = new ContainerMetrics();
    const use = [{ name: 'api', cpu: 500, memory: 200 * MI }];

    const first = scrape(metrics, pod(0), use, 10_000);
    const second = scrape(metrics, pod(0), use, 20_000);
    const crashed = scrape(metrics, pod(undefined), [], 30_000);
    const restarted = scrape(metrics, pod(45_000), use, 50_000);

    expect(first.cpu).toBe(5);
    expect(second.cpu).toBe(10);
    expect(crashed.cpu).toBeUndefined();
    expect(restarted.cpu).toBe(12.5);
  });

  it('labels the series as the kubelet does and reports the working set in whole KiB', () => {
    const metrics = new ContainerMetrics();

    const { text, memory } = scrape(
      metrics,
      pod(0),
      [{ name: 'api', cpu: 250, memory: 1000.4 * 1024 }],
      4_000,
    );

    expect(memory).toBe(1000 * 1024);
    expect(text).toContain(
      'container_cpu_usage_seconds_total{container="api",id="/kubepods/podu1/api",image="payments:1.4",namespace="payments",pod="api-1",cpu="total"} 1',
    );
  });

  it('forgets a pod that is gone, so a new pod of the same name starts from zero', () => {
    const metrics = new ContainerMetrics();
    const use = [{ name: 'api', cpu: 1000, memory: MI }];
    scrape(metrics, pod(0), use, 60_000);
    const other = new Exposition();
    metrics.write(other, [], () => [], 70_000);

    const again = scrape(metrics, pod(65_000), use, 70_000);

    expect(again.cpu).toBe(5);
  });
});
