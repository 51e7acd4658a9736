import { startBot } from '../bot/start-bot.ts';
import type { Config } from '../config/index.ts';
import { createHttpServer } from '../http/server.ts';
import { opsRoutes } from '../observability/health.ts';
import type { Logger } from '../observability/logger.ts';
import { createMetrics } from '../observability/metrics.ts';
import { exportQueueDepth } from '../observability/queue-depth.ts';
import { startWorker } from '../worker/start-worker.ts';
import { openResources } from './resources.ts';

export type Role = 'bot' | 'worker' | 'all';

export type RunningProcess = {
  port: number;
  /** Stops taking work, lets active jobs finish within the shutdown timeout, closes connections. */
  stop(): Promise<void>;
};

/**
 * Starts a role and its HTTP server. The bot serves everything on PORT; a lone worker serves
 * only health and metrics, on WORKER_PORT.
 */
export async function startProcess(
  config: Config,
  role: Role,
  log: Logger,
): Promise<RunningProcess> {
  const metrics = createMetrics();
  const resources = openResources(config, log);
  exportQueueDepth(metrics, resources.queues);
  const bot = role === 'worker' ? undefined : await startBot(config, resources, log, metrics);
  const worker = role === 'bot' ? undefined : startWorker(config, resources, log, metrics);
  const http = createHttpServer(
    [...opsRoutes(resources.producer, metrics), ...(bot?.routes ?? [])],
    log,
    metrics,
  );
  const stop = async () => {
    const closing = http.close();
    await bot?.stop();
    await worker?.stop();
    http.server.closeAllConnections();
    await closing;
    await resources.close();
  };
  try {
    const port = await http.listen(
      config.http.host,
      role === 'worker' ? config.http.workerPort : config.http.port,
    );
    log.info({ role, host: config.http.host, port }, 'listening');
    return { port, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
