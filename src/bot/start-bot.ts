import { alertmanagerRoute } from '../alerts/receiver.ts';
import { createOutboxWorker } from '../chat/outbox-worker.ts';
import { ChannelPacer, PLATFORM_INTERVALS_MS } from '../chat/pacing.ts';
import { webAdapter } from '../chat/web/adapter.ts';
import { LiveStreams } from '../chat/web/live-stream.ts';
import { webConsoleRoutes } from '../chat/web/routes.ts';
import { WebStore } from '../chat/web/store.ts';
import { type Config, DEFAULT_CLUSTER_NAME } from '../config/index.ts';
import type { Route } from '../http/router.ts';
import type { Logger } from '../observability/logger.ts';
import type { Metrics } from '../observability/metrics.ts';
import { closeRedis, createRedis } from '../queue/connection.ts';
import type { Resources } from '../runtime/resources.ts';
import { closeWorker } from '../runtime/shutdown.ts';
import { handleChatCommand } from './chat-commands.ts';

export type Bot = {
  routes: Route[];
  /** Ends live streams and drains the outbox; the HTTP server is the caller's to close first. */
  stop(): Promise<void>;
};

/**
 * The bot role: receives alerts and console messages, enqueues, and delivers the outbox to chat.
 * It never calls a model and never writes to a cluster.
 */
export function startBot(config: Config, resources: Resources, log: Logger, metrics: Metrics): Bot {
  const subscriber = createRedis(config.redis.url, 'subscriber', log);
  const store = new WebStore(
    resources.producer,
    subscriber,
    config.redis.prefix,
    log.child({ component: 'web' }),
  );
  // Redis may be down at start; the HTTP server comes up anyway and says so on /readyz.
  let stopping = false;
  store.start().catch((error: unknown) => {
    if (!stopping) log.error({ err: error }, 'console feed could not start');
  });
  const streams = new LiveStreams(store, log.child({ component: 'web' }), metrics);
  const outbox = createOutboxWorker({
    connection: resources.worker,
    prefix: config.redis.prefix,
    adapters: [webAdapter(store)],
    log,
    metrics,
    concurrency: 8,
    pacer: new ChannelPacer(resources.worker, config.redis.prefix, PLATFORM_INTERVALS_MS),
  });
  const routes = [
    alertmanagerRoute({
      auth: config.alertmanager,
      runs: resources.queues.runs,
      producer: resources.producer,
      metrics,
    }),
    ...webConsoleRoutes(store, streams, config.http.allowedHosts, async (posted) => {
      await handleChatCommand(
        {
          channel: `web:${posted.channel}`,
          requester: `web:${posted.author}`,
          text: posted.text,
          messageId: posted.id,
        },
        {
          runs: resources.queues.runs,
          outbox: resources.queues.outbox,
          bindings: config.bindings,
          clusters: clusterNames(config),
        },
      );
    }),
  ];
  return {
    routes,
    async stop() {
      stopping = true;
      streams.closeAll();
      await closeWorker(outbox, config.shutdownTimeoutMs, log);
      await closeRedis(subscriber);
    },
  };
}

function clusterNames(config: Config): string[] {
  return config.clusters.length === 0 ? [DEFAULT_CLUSTER_NAME] : config.clusters.map((c) => c.name);
}
