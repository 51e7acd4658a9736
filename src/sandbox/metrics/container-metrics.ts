import type { KObject } from '../api/store.ts';
import { type Exposition, labelText } from './exposition.ts';

/**
 * cAdvisor's container families, from the usage the sandbox's metrics API reports. CPU time is a
 * counter kept per container of a pod: it grows by the container's usage while it runs and keeps
 * its total across restarts, so `rate()` over it never sees a reset while the pod lives.
 */
export type ContainerUsage = { name: string; cpu: number; memory: number };
export type UsageOf = (pod: Readonly<KObject>) => readonly ContainerUsage[];

type Pod = Readonly<KObject> & {
  spec?: { containers?: { name: string; image: string }[] };
  status?: { containerStatuses?: { name: string; state?: { running?: { startedAt?: string } } }[] };
};
type CpuTotal = { at: number; seconds: number };

export class ContainerMetrics {
  readonly #cpu = new Map<string, CpuTotal>();

  write(out: Exposition, pods: readonly Pod[], usage: UsageOf, now: number): void {
    const running = pods.flatMap((pod) =>
      usage(pod).map((u) => ({ pod, usage: u, labels: labels(pod, u.name) })),
    );
    this.#account(pods, running, now);
    out.family(
      'container_cpu_usage_seconds_total',
      'counter',
      'Cumulative cpu time consumed in seconds.',
    );
    for (const { pod, usage: u, labels } of running) {
      const total = this.#cpu.get(key(pod, u.name))?.seconds ?? 0;
      out.sample(`${labels},cpu="total"`, round(total));
    }
    out.family('container_memory_working_set_bytes', 'gauge', 'Current working set in bytes.');
    // Whole KiB, as the metrics API (and so `kubectl top`) reports the same usage.
    for (const { usage: u, labels } of running)
      out.sample(labels, Math.round(u.memory / 1024) * 1024);
  }

  /** Adds the CPU time each running container used since the last scrape; forgets gone pods. */
  #account(
    pods: readonly Pod[],
    running: { pod: Pod; usage: ContainerUsage }[],
    now: number,
  ): void {
    const live = new Set(pods.map((p) => p.metadata.uid ?? ''));
    for (const k of this.#cpu.keys())
      if (!live.has(k.slice(0, k.indexOf('/')))) this.#cpu.delete(k);
    const used = new Set<string>();
    for (const { pod, usage: u } of running) {
      const k = key(pod, u.name);
      used.add(k);
      const cores = u.cpu / 1000;
      const total = this.#cpu.get(k);
      if (total === undefined) {
        this.#cpu.set(k, {
          at: now,
          seconds: (cores * Math.max(0, now - startedAt(pod, u.name, now))) / 1000,
        });
      } else {
        const from = Math.max(total.at, startedAt(pod, u.name, total.at));
        total.seconds += (cores * Math.max(0, now - from)) / 1000;
        total.at = now;
      }
    }
    // A container between runs uses nothing: its next run counts from its start, not from here.
    for (const [k, total] of this.#cpu) if (!used.has(k)) total.at = now;
  }
}

const key = (pod: Pod, container: string) => `${pod.metadata.uid ?? ''}/${container}`;

function labels(pod: Pod, container: string): string {
  const uid = pod.metadata.uid ?? '';
  return labelText({
    container,
    id: `/kubepods/pod${uid}/${container}`,
    image: pod.spec?.containers?.find((c) => c.name === container)?.image ?? '',
    namespace: pod.metadata.namespace ?? '',
    pod: pod.metadata.name,
  });
}

function startedAt(pod: Pod, container: string, now: number): number {
  const status = pod.status?.containerStatuses?.find((s) => s.name === container);
  const started = Date.parse(status?.state?.running?.startedAt ?? '');
  return Number.isNaN(started) ? now : started;
}

/** Microsecond precision keeps the text short without losing what a rate needs. */
function round(seconds: number): number {
  return Math.round(seconds * 1e6) / 1e6;
}
