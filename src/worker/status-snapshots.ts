import { readClusterHealth } from '../commands/status.ts';
import type { StatusStore } from '../dashboard/status-store.ts';
import type { Logger } from '../observability/logger.ts';
import { redactText } from '../policy/redact.ts';
import type { Clusters } from '../tools/kubernetes/cluster.ts';

/** Reads each cluster's status for the dashboard, now and every `intervalMs`, until stopped. */
export function refreshStatus(
  deps: { clusters: Clusters; store: StatusStore; log: Logger },
  intervalMs = 60_000,
): { stop(): void } {
  const once = async () => {
    for (const name of deps.clusters.names) {
      const at = new Date().toISOString();
      try {
        const health = await readClusterHealth(deps.clusters.get(name));
        await deps.store.write({ cluster: name, at, health });
      } catch (error) {
        await deps.store
          .write({ cluster: name, at, error: redactText((error as Error).message) })
          .catch(() => undefined);
      }
    }
  };
  const run = () => {
    once().catch((error: unknown) => deps.log.warn({ err: error }, 'cluster status not refreshed'));
  };
  run();
  const timer = setInterval(run, intervalMs);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}
