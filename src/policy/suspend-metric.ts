import { Gauge } from 'prom-client';
import type { Metrics } from '../observability/metrics.ts';
import type { SuspendSwitch } from './suspend.ts';

/**
 * `coxswain_writes_suspended`: 1 while the suspend switch stops every write, 0 otherwise; read
 * from Redis when scraped, so every process reports the one switch. Skipped while Redis is down.
 */
export function exportSuspension(metrics: Metrics, suspension: SuspendSwitch): void {
  new Gauge({
    name: 'coxswain_writes_suspended',
    help: 'Whether every write to the clusters is suspended (1) or may go on (0), when last scraped.',
    registers: [metrics.registry],
    async collect() {
      try {
        this.set((await suspension.state()) === undefined ? 0 : 1);
      } catch {
        // A scrape during an outage still returns every other metric.
      }
    },
  });
}
