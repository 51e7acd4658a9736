import { LiveStreams } from '../chat/web/live-stream.ts';
import { WebStore } from '../chat/web/store.ts';
import type { Config } from '../config/index.ts';
import { isLoopback, WebAccess } from '../dashboard/web-access.ts';
import type { Logger } from '../observability/logger.ts';
import type { Metrics } from '../observability/metrics.ts';
import { closeRedis, createRedis } from '../queue/connection.ts';
import type { Resources } from '../runtime/resources.ts';
import { channelId, channelPlatform } from '../shared/channel.ts';

/** The console's feed and live streams, and who is signed in to the console and the dashboard. */
export type WebSide = {
  store: WebStore;
  streams: LiveStreams;
  access: WebAccess;
  /** Ends every live stream; the outbox may still deliver to the console's store after. */
  endStreams(): void;
  close(): Promise<void>;
};

export function startWebSide(
  config: Config,
  resources: Resources,
  log: Logger,
  metrics: Metrics,
): WebSide {
  const webLog = log.child({ component: 'web' });
  const subscriber = createRedis(config.redis, 'subscriber', log);
  const bound = config.bindings
    .filter((binding) => channelPlatform(binding.channel) === 'web')
    .map((binding) => channelId(binding.channel));
  const store = new WebStore(resources.producer, subscriber, config.redis.prefix, webLog, bound);
  // Redis may be down at start; the HTTP server comes up anyway and says so on /readyz.
  let stopping = false;
  store.start().catch((error: unknown) => {
    if (!stopping) log.error({ err: error }, 'console feed could not start');
  });
  const streams = new LiveStreams(store, webLog, metrics);
  const access = new WebAccess(resources.producer, config.redis.prefix, {
    users: config.dashboard.users,
    trustLocal: config.dashboard.trustLocalNames && isLoopback(config.http.host),
    secure: /^https:/i.test(config.dashboard.publicUrl ?? ''),
  });
  // A sign-out ends that session's live streams at once, on every replica.
  access.onSessionEnded((key) => streams.endSession(key));
  const sessionSubscriber = access.signIn
    ? createRedis(config.redis, 'subscriber', log)
    : undefined;
  if (sessionSubscriber !== undefined)
    access.follow(sessionSubscriber).catch((error: unknown) => {
      if (!stopping) log.error({ err: error }, 'sign-outs of other replicas not followed');
    });
  return {
    store,
    streams,
    access,
    endStreams() {
      stopping = true;
      streams.closeAll();
    },
    async close() {
      await closeRedis(subscriber);
      if (sessionSubscriber !== undefined) await closeRedis(sessionSubscriber);
    },
  };
}
