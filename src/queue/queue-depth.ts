import { Gauge } from 'prom-client';
import type { Metrics } from '../observability/metrics.ts';
import type { AlertInbox } from './alert-inbox.ts';
import type { Queues } from './queues.ts';

const STATES = ['waiting', 'active', 'delayed', 'failed', 'completed'] as const;

/**
 * `coxswain_queue_jobs{queue,state}`, read from Redis when scraped; skipped while Redis is down.
 * The alert inbox counts as `queue="alert-inbox",state="waiting"`: notifications accepted that no
 * worker has made jobs yet.
 */
export function exportQueueDepth(metrics: Metrics, queues: Queues, inbox: AlertInbox): void {
  new Gauge({
    name: 'coxswain_queue_jobs',
    help: 'Jobs in each queue, by state, when last scraped.',
    labelNames: ['queue', 'state'] as const,
    registers: [metrics.registry],
    async collect() {
      for (const [name, queue] of Object.entries(queues)) {
        try {
          const counts = await queue.getJobCounts(...STATES);
          for (const state of STATES) this.set({ queue: name, state }, counts[state] ?? 0);
        } catch {
          // A scrape during an outage still returns every other metric.
        }
      }
      try {
        this.set({ queue: 'alert-inbox', state: 'waiting' }, await inbox.length());
      } catch {
        // As above.
      }
    },
  });
}
