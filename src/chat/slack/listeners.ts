import type { AnyMiddlewareArgs, App, Middleware } from '@slack/bolt';
import type { Logger } from '../../observability/logger.ts';
import type { InputOutcome } from '../inbound.ts';
import type { ChatMessageInput } from '../message.ts';
import { postToChat } from '../post-to-chat.ts';
import { redactMessage } from '../redact-message.ts';
import { actionOfSlackId, renderSlack } from './render.ts';
import type { SlackDeps } from './slack-app.ts';
import { UserGroups } from './user-groups.ts';

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

/** The bot's Slack inputs: mentions, DMs, `/coxswain` and button clicks, each event acted on once. */
export function registerListeners(app: App, deps: SlackDeps, log: Logger) {
  const post = replyPoster(deps);
  app.use(onceEach(deps, log));
  listenForMessages(app, deps, post);
  listenForSlashCommand(app, deps, log);
  listenForClicks(app, deps, post, new UserGroups(log));
}

type Post = (
  channel: string,
  message: ChatMessageInput,
  key: string,
  extra: { thread?: string | undefined; ephemeralTo?: string | undefined },
) => Promise<void>;

function replyPoster(deps: SlackDeps): Post {
  return (channel, message, key, extra) =>
    postToChat(deps.outbox, {
      kind: 'reply',
      key: ['slack', key],
      channel: `slack:${channel}`,
      message,
      thread: extra.thread,
      ephemeralTo: extra.ephemeralTo,
    });
}

/**
 * Slack retries an event it thinks was lost; each event id is acted on once. The ack waits for
 * the claim and the work (a job under an id of its own), not for the claim's "done": if that
 * mark is lost, the claim stays pending until it expires, a retry meanwhile is told to come back,
 * and one after finds the job already there under its id.
 */
function onceEach(deps: SlackDeps, log: Logger): Middleware<AnyMiddlewareArgs> {
  return async ({ body, next }) => {
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
    deps.claims.done('slack', eventId).catch((error: unknown) => {
      log.warn(
        { eventId, err: { message: (error as Error).message } },
        'slack event not marked done',
      );
    });
  };
}

function listenForMessages(app: App, deps: SlackDeps, post: Post) {
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
}

function listenForSlashCommand(app: App, deps: SlackDeps, log: Logger) {
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
}

function listenForClicks(app: App, deps: SlackDeps, post: Post, groups: UserGroups) {
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
