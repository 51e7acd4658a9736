import { App, type Logger as BoltLogger, LogLevel } from '@slack/bolt';
import type { Route } from '../../http/router.ts';
import type { Logger } from '../../observability/logger.ts';
import type { ChatAdapter } from '../adapter.ts';
import type { InboundHandlers, InputOutcome } from '../inbound.ts';
import type { ChatMessageInput } from '../message.ts';
import type { EventClaims, MessageRefs } from '../message-refs.ts';
import { type Outbox, postToChat } from '../post-to-chat.ts';
import { redactMessage } from '../redact-message.ts';
import { SlackHttpReceiver } from './http-receiver.ts';
import { actionOfSlackId, renderSlack } from './render.ts';
import { slackAdapter } from './slack-adapter.ts';
import { SlackSocketReceiver } from './socket-receiver.ts';

/**
 * Slack through Bolt: Socket Mode when an app token is set, otherwise HTTP at `/slack/events`.
 * Mentions, direct messages, `/coxswain` and button clicks become the bot's inputs; the answers
 * go through the outbox, in the thread of the message that asked.
 */
export type SlackOptions = {
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
};

export type Slack = {
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
  const http =
    options.appToken === undefined
      ? new SlackHttpReceiver(options.signingSecret ?? '', log)
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
  return {
    adapter: slackAdapter(app.client, deps.refs),
    routes: http === undefined ? [] : [http.route()],
    async start() {
      await app.init();
      await app.start();
      log.info({ mode: http === undefined ? 'socket' : 'http' }, 'slack connected');
    },
    async stop() {
      await app.stop();
    },
  };
}

type MessageEvent = {
  channel: string;
  user?: string;
  text?: string;
  ts: string;
  thread_ts?: string;
  subtype?: string;
  bot_id?: string;
  channel_type?: string;
};

const TEXT_SUBTYPES = new Set(['file_share', 'thread_broadcast']);

function registerListeners(app: App, deps: SlackDeps, log: Logger) {
  const groups = new UserGroups(log);
  const post = (
    channel: string,
    message: ChatMessageInput,
    jobId: string,
    extra: { thread?: string | undefined; ephemeralTo?: string | undefined },
  ) =>
    postToChat(deps.outbox, {
      kind: 'reply',
      key: ['slack', jobId],
      channel: `slack:${channel}`,
      message,
      thread: extra.thread,
      ephemeralTo: extra.ephemeralTo,
    });

  // Slack retries an event it thinks was lost; each event id is acted on once.
  app.use(async ({ body, next }) => {
    const eventId = (body as { event_id?: unknown }).event_id;
    if (typeof eventId !== 'string') return next();
    const claim = await deps.claims.claim('slack', eventId);
    if (claim === 'done') {
      log.debug({ eventId }, 'slack event already handled');
      return;
    }
    // Still being handled: not acknowledged, so Slack tries again later.
    if (claim === 'pending') throw new Error(`slack event ${eventId} is still being handled`);
    try {
      await next();
    } catch (error) {
      await deps.claims.release('slack', eventId).catch(() => undefined);
      throw error;
    }
    await deps.claims.done('slack', eventId);
  });

  const onMessage = async (event: MessageEvent, kind: 'mention' | 'dm') => {
    if (event.user === undefined || event.bot_id !== undefined) return;
    deps.onInput?.(kind);
    const dm = kind === 'dm';
    // A mention in a channel starts (or continues) a thread; a DM is one conversation.
    const thread = dm ? event.thread_ts : (event.thread_ts ?? event.ts);
    const outcome = await deps.handlers.input({
      channel: `slack:${event.channel}`,
      requester: `slack:${event.user}`,
      text: withoutMentions(event.text ?? ''),
      messageId: event.ts,
      thread,
      // A DM is one conversation, threads in it included.
      conversation: `slack:${event.channel}:${dm ? 'dm' : thread}`,
      addressed: true,
    });
    if (outcome.kind === 'reply')
      await post(event.channel, outcome.message, `${event.channel}.${event.ts}`, { thread });
  };

  app.event('app_mention', async ({ event }) => {
    // A mention in a DM comes as a message event too; that one answers.
    if ((event as MessageEvent).channel_type === 'im' || event.channel.startsWith('D')) return;
    await onMessage(event as MessageEvent, 'mention');
  });

  app.event('message', async ({ event }) => {
    const message = event as MessageEvent;
    // A DM with a file or sent to the channel too is still a message to the bot.
    const plain = message.subtype === undefined || TEXT_SUBTYPES.has(message.subtype);
    if (message.channel_type !== 'im' || !plain) return;
    await onMessage(message, 'dm');
  });

  app.command('/coxswain', async ({ command, ack }) => {
    deps.onInput?.('command');
    let outcome: InputOutcome;
    try {
      outcome = await deps.handlers.input({
        channel: `slack:${command.channel_id}`,
        requester: `slack:${command.user_id}`,
        text: command.text ?? '',
        messageId: command.trigger_id,
        addressed: true,
      });
    } catch (error) {
      log.error({ err: error }, 'slash command not queued');
      await ack(
        ephemeral({
          headline: 'I could not take that just now; please try again',
          tone: 'warning',
        }),
      );
      return;
    }
    if (outcome.kind === 'reply') await ack(ephemeral(outcome.message));
    else if (outcome.kind === 'queued')
      await ack(
        ephemeral({
          text: `Working on ${outcome.what}; the answer will be posted here.`,
          tone: 'neutral',
        }),
      );
    else
      await ack(ephemeral({ text: 'Type /coxswain help to see what I can do.', tone: 'neutral' }));
  });

  app.action(/^coxswain\./, async ({ ack, body, action }) => {
    await ack();
    if (body.type !== 'block_actions' || action.type !== 'button') return;
    const button = action as { action_id: string; action_ts: string; value?: string };
    deps.onInput?.('click');
    const channel = body.channel?.id;
    const verb = actionOfSlackId(button.action_id);
    if (channel === undefined || verb === undefined) return;
    const message = body.message as { ts?: string; thread_ts?: string } | undefined;
    const thread = message?.thread_ts ?? message?.ts;
    // Approvers may be named by user group: whose groups matter only for a decision.
    const memberOf =
      verb === 'approve' || verb === 'reject' ? await groups.of(app, body.user.id) : [];
    const outcome = await deps.handlers.click({
      channel: `slack:${channel}`,
      requester: `slack:${body.user.id}`,
      action: verb,
      value: button.value ?? '',
      clickId: button.action_ts,
      thread,
      memberOf,
    });
    if (outcome.kind === 'reply')
      await post(channel, outcome.message, `${channel}.click.${button.action_ts}`, {
        thread,
        ephemeralTo: body.user.id,
      });
  });
}

/**
 * The user groups each person is in (`usergroups:read`), asked of Slack at most once a minute:
 * approvers may be named as `slack:group:S…`.
 */
class UserGroups {
  readonly #log: Logger;
  #members: Map<string, string[]> | undefined;
  #at = 0;

  constructor(log: Logger) {
    this.#log = log;
  }

  async of(app: App, user: string): Promise<string[]> {
    if (this.#members === undefined || Date.now() - this.#at > 60_000) {
      try {
        const listed = await app.client.usergroups.list({ include_users: true });
        const members = new Map<string, string[]>();
        for (const group of listed.usergroups ?? []) {
          for (const member of group.users ?? []) {
            members.set(member, [...(members.get(member) ?? []), `slack:group:${group.id}`]);
          }
        }
        this.#members = members;
        this.#at = Date.now();
      } catch (error) {
        this.#log.warn(
          { err: error },
          'slack user groups could not be read; approvers by group are not recognised',
        );
        return [];
      }
    }
    return this.#members.get(user) ?? [];
  }
}

/**
 * A slash command's immediate answer, seen only by the person who typed it. It skips the outbox,
 * so it gets the outbox's redaction here: a refusal can quote what was typed.
 */
function ephemeral(message: ChatMessageInput) {
  return {
    response_type: 'ephemeral' as const,
    ...renderSlack(redactMessage(message)),
  };
}

/** `<@U0BOT> why …` → `why …`: the bot's own mention is how the message reached it. */
function withoutMentions(text: string): string {
  return text.replace(/^\s*(<@[A-Z0-9]+>\s*)+/, '').trim();
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
