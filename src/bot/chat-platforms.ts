import type { ChatAdapter } from '../chat/adapter.ts';
import type { InboundHandlers } from '../chat/inbound.ts';
import { EventClaims, type MessageRefs } from '../chat/message-refs.ts';
import { SLASH_COMMAND } from '../commands/slash-options.ts';
import type { Config } from '../config/index.ts';
import { CoxswainError } from '../errors.ts';
import type { Route } from '../http/router.ts';
import type { Logger } from '../observability/logger.ts';
import type { Metrics } from '../observability/metrics.ts';
import { createRedis } from '../queue/connection.ts';
import type { Resources } from '../runtime/resources.ts';

const CONNECT_TIMEOUT_MS = 30_000;

/**
 * Slack and Discord, where configured: their adapters for the outbox and their HTTP routes. Each
 * platform's library is loaded only when it is configured (Bolt and discord.js are each tens of
 * MiB resident).
 */
type ChatPlatforms = {
  adapters: ChatAdapter[];
  routes: Route[];
  connect(): Promise<void>;
  stop(): Promise<void>;
};

type Platform = { name: string; start(): Promise<void>; stop(): Promise<void> };

export async function createChatPlatforms(
  config: Config,
  resources: Resources,
  deps: { handlers: InboundHandlers; refs: MessageRefs; log: Logger; metrics: Metrics },
): Promise<ChatPlatforms> {
  const { handlers, refs, log } = deps;
  const outbox = resources.queues.outbox;
  const onInput = (platform: string) => (kind: string) =>
    deps.metrics.chatInputs.inc({ platform, kind });
  const adapters: ChatAdapter[] = [];
  const routes: Route[] = [];
  const platforms: Platform[] = [];
  if (config.slack !== undefined) {
    const { createSlack } = await import('../chat/slack/slack-app.ts');
    const slack = createSlack(config.slack, {
      handlers,
      outbox,
      claims: new EventClaims(resources.producer, config.redis.prefix),
      refs,
      log,
      onInput: onInput('slack'),
      inbox: {
        producer: resources.producer,
        prefix: config.redis.prefix,
        reader: () => createRedis(config.redis, 'worker', log),
        redis: resources.worker,
      },
    });
    adapters.push(slack.adapter);
    routes.push(...slack.routes);
    platforms.push({ name: 'Slack', start: () => slack.start(), stop: () => slack.stop() });
  }
  if (config.discord !== undefined) {
    const { createDiscord } = await import('../chat/discord/discord-app.ts');
    const discord = createDiscord(config.discord, {
      handlers,
      outbox,
      refs,
      log,
      slashCommand: SLASH_COMMAND,
      onInput: onInput('discord'),
    });
    adapters.push(discord.adapter);
    platforms.push({ name: 'Discord', start: () => discord.start(), stop: () => discord.stop() });
  }
  return {
    adapters,
    routes,
    connect: () => Promise.all(platforms.map(connectOne)).then(() => undefined),
    async stop() {
      await Promise.all(platforms.map((p) => p.stop().catch(() => undefined)));
    },
  };
}

async function connectOne(platform: Platform): Promise<void> {
  try {
    await withTimeout(platform.start(), CONNECT_TIMEOUT_MS);
  } catch (error) {
    throw new CoxswainError(
      'chat_unavailable',
      `${platform.name} could not be reached: ${(error as Error).message}`,
      { cause: error },
    );
  }
}

function withTimeout<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no connection after ${ms / 1000} s`)), ms);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}
