import type { Redis } from 'ioredis';
import { Gauge } from 'prom-client';
import type { Metrics } from '../observability/metrics.ts';
import { INBOXES, inboxKey } from './alert-inbox.ts';
import type { Queues } from './queues.ts';

const STATES = ['waiting', 'active', 'delayed', 'failed', 'completed'] as const;
const INBOX_LABELS = { alerts: 'alert-inbox', slack: 'slack-inbox' } as const;

/**
 * `coxswain_queue_jobs{queue,state}`, read from Redis when scraped; skipped while Redis is down.
 * The inboxes count as `queue="alert-inbox"` and `queue="slack-inbox"`, `state="waiting"`:
 * notifications accepted that no worker has made jobs yet, and Slack events acknowledged whose
 * listeners the bot holding the chat connections has not run yet.
 */
export function exportQueueDepth(
  metrics: Metrics,
  queues: Queues,
  inboxes: { redis: Redis; prefix: string },
): void {
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
      for (const inbox of INBOXES) {
        try {
          const waiting = await inboxes.redis.xlen(inboxKey(inboxes.prefix, inbox));
          this.set({ queue: INBOX_LABELS[inbox], state: 'waiting' }, waiting);
        } catch {
          // As above.
        }
      }
    },
  });
}
