import { requireWebhookAuth } from '../alerts/webhook-auth.ts';
import { checkWebExposure } from '../bot/check-web-exposure.ts';
import { leadershipOf } from '../bot/leadership.ts';
import type { startBot } from '../bot/start-bot.ts';
import type { Config } from '../config/index.ts';
import { opsRoutes } from '../http/health.ts';
import { createHttpServer } from '../http/server.ts';
import type { Logger } from '../observability/logger.ts';
import { createMetrics } from '../observability/metrics.ts';
import { SuspendSwitch } from '../policy/suspend.ts';
import { exportSuspension } from '../policy/suspend-metric.ts';
import { checkDurability } from '../queue/check-durability.ts';
import { waitForReady } from '../queue/connection.ts';
import { exportQueueDepth } from '../queue/queue-depth.ts';
import { openResources } from '../runtime/resources.ts';
import type { startWorker } from '../worker/start-worker.ts';

export type Role = 'bot' | 'worker' | 'all';

type RunningProcess = {
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
  /** `throwaway`: a Redis kept on purpose without persistence (the demo's), not checked. */
  options: { redis?: 'throwaway' } = {},
): Promise<RunningProcess> {
  // Before anything is opened: a refusal leaves nothing to close.
  if (role !== 'worker') {
    requireWebhookAuth(config.alertmanager);
    checkWebExposure(config);
  }
  const sides = await roleModules(role);
  const metrics = createMetrics();
  const resources = openResources(config, log);
  if (options.redis !== 'throwaway') void checkDurability(resources.worker, log);
  exportQueueDepth(metrics, resources.queues, {
    redis: resources.producer,
    prefix: config.redis.prefix,
  });
  exportSuspension(metrics, new SuspendSwitch(resources.producer, config.redis.prefix));
  let bot: Awaited<ReturnType<typeof startBot>> | undefined;
  let worker: Awaited<ReturnType<typeof startWorker>> | undefined;
  try {
    bot = await sides.startBot?.(config, resources, log, metrics);
    worker = await sides.startWorker?.(config, resources, log, metrics);
  } catch (error) {
    // A side that cannot start (invalid agents, prompts…) stops what did, so the process exits
    // with the error instead of living on half started, with no HTTP server to say so.
    await bot?.stop().catch(() => undefined);
    await resources.close();
    throw error;
  }
  const leadership = bot === undefined ? undefined : leadershipOf(config, bot, log, metrics);
  const http = createHttpServer(
    [...opsRoutes(resources.producer, metrics, leadership?.leading), ...(bot?.routes ?? [])],
    log,
    metrics,
  );
  const stop = async () => {
    const closing = http.close();
    // Leadership goes first: chat connections and outbox let go, then the Lease released, so that
    // a standby takes over while the rest of this process drains.
    await leadership?.stop();
    // Both drain at once, so shutdown takes one timeout at most, not one per worker.
    await Promise.all([bot?.stop(), worker?.stop()]);
    http.server.closeAllConnections();
    await closing;
    await resources.close();
  };
  try {
    // Give Redis a moment so the first requests find it; if it is down, serve anyway: /readyz
    // says so and the webhook answers 503 until it is back.
    if (!(await waitForReady(resources.producer, 5_000))) {
      log.warn('redis is not reachable yet; serving without it until it is');
    }
    const port = await http.listen(
      config.http.host,
      role === 'worker' ? config.http.workerPort : config.http.port,
    );
    log.info({ role, host: config.http.host, port }, 'listening');
    await leadership?.start();
    return { port, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

/**
 * The modules of the sides a role runs, and only those: a lone bot never loads the worker's
 * Kubernetes client, model SDK and tools, and a lone worker never loads the bot's side.
 */
async function roleModules(role: Role): Promise<{
  startBot: typeof startBot | undefined;
  startWorker: typeof startWorker | undefined;
}> {
  const [bot, worker] = await Promise.all([
    role === 'worker' ? undefined : import('../bot/start-bot.ts'),
    role === 'bot' ? undefined : import('../worker/start-worker.ts'),
  ]);
  return { startBot: bot?.startBot, startWorker: worker?.startWorker };
}
