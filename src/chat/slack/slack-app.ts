import { App, type Logger as BoltLogger, LogLevel } from '@slack/bolt';
import type { Redis } from 'ioredis';
import type { Route } from '../../http/router.ts';
import type { Logger } from '../../observability/logger.ts';
import type { InboxReader } from '../../queue/stream-inbox.ts';
import type { ChatAdapter } from '../adapter.ts';
import type { InboundHandlers } from '../inbound.ts';
import type { EventClaims, MessageRefs } from '../message-refs.ts';
import type { Outbox } from '../post-to-chat.ts';
import { SlackEventInbox } from './event-inbox.ts';
import { SlackHttpReceiver } from './http-receiver.ts';
import { registerListeners } from './listeners.ts';
import { slackAdapter } from './slack-adapter.ts';
import { SlackSocketReceiver } from './socket-receiver.ts';

/**
 * Slack through Bolt: Socket Mode when an app token is set, otherwise HTTP at `/slack/events`.
 * Mentions, direct messages, `/coxswain` and button clicks become the bot's inputs; the answers
 * go through the outbox, in the thread of the message that asked.
 */
type SlackOptions = {
  botToken: string;
  appToken: string | undefined;
  signingSecret: string | undefined;
  apiUrl: string | undefined;
};

export type SlackDeps = {
  handlers: InboundHandlers;
  outbox: Outbox;
  claims: EventClaims;
  refs: MessageRefs;
  log: Logger;
  onInput?: (kind: 'mention' | 'dm' | 'command' | 'click') => void;
  /**
   * In HTTP mode, the Slack inbox, where events and clicks wait between their ack and their
   * listeners; read while Slack is connected. `producer` is the fail-fast connection requests
   * use, `reader` opens the reading's own connection, `redis` waits out outages.
   */
  inbox?: { producer: Redis; prefix: string; reader: () => Redis; redis: Redis };
};

type Slack = {
  adapter: ChatAdapter;
  /** `/slack/events` in HTTP mode; none in Socket Mode. */
  routes: Route[];
  start(): Promise<void>;
  stop(): Promise<void>;
};

export function createSlack(options: SlackOptions, deps: SlackDeps): Slack {
  const log = deps.log.child({ platform: 'slack' });
  const clientOptions = {
    ...(options.apiUrl === undefined ? {} : { slackApiUrl: options.apiUrl }),
    // The outbox waits out a 429 itself, without holding a delivery slot.
    rejectRateLimitedCalls: true,
    retryConfig: { retries: 2, factor: 2, minTimeout: 200, maxTimeout: 2_000 },
  };
  const logger = boltLogger(log);
  const inbox =
    options.appToken === undefined && deps.inbox !== undefined
      ? new SlackEventInbox(deps.inbox.producer, deps.inbox.prefix)
      : undefined;
  const http =
    options.appToken === undefined
      ? new SlackHttpReceiver(options.signingSecret ?? '', log, inbox)
      : undefined;
  const receiver =
    http ?? new SlackSocketReceiver(options.appToken ?? '', clientOptions, logger, log);
  const app = new App({
    token: options.botToken,
    receiver,
    clientOptions,
    logger,
    convoStore: false,
    deferInitialization: true,
  });
  registerListeners(app, deps, log);
  let reading: InboxReader | undefined;
  // Each stop ends the starts before it: a start still connecting when its bot gave up the chat
  // connections (the connection timed out, the Lease went to another) does not begin reading.
  let stops = 0;
  return {
    adapter: slackAdapter(app.client, deps.refs, log),
    routes: http === undefined ? [] : [http.route()],
    async start() {
      const startedAfter = stops;
      await app.init();
      await app.start();
      if (stops !== startedAfter) return;
      if (http !== undefined && inbox !== undefined && deps.inbox !== undefined && !reading) {
        const connections = { reader: deps.inbox.reader(), redis: deps.inbox.redis };
        reading = inbox.read(connections, (request) => http.process(request), log);
      }
      log.info({ mode: http === undefined ? 'socket' : 'http' }, 'slack connected');
    },
    async stop() {
      stops++;
      await reading?.stop();
      reading = undefined;
      await app.stop();
    },
  };
}

/**
 * Bolt's logger interface over the process's pino logger. Bolt's debug lines quote whole payloads
 * (response URLs, message text) as plain strings that redaction cannot see, so they are dropped.
 */
function boltLogger(log: Logger): BoltLogger {
  let level = LogLevel.INFO;
  const text = (parts: unknown[]) =>
    parts.map((p) => (typeof p === 'string' ? p : String(p))).join(' ');
  return {
    debug: () => undefined,
    info: (...parts) => log.debug(text(parts)),
    warn: (...parts) => log.warn(text(parts)),
    error: (...parts) => log.error(text(parts)),
    setLevel: (next) => {
      level = next;
    },
    getLevel: () => level,
    setName: () => undefined,
  };
}
