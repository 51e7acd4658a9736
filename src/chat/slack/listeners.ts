import type { AnyMiddlewareArgs, App, Middleware } from '@slack/bolt';
import { z } from 'zod';
import type { Logger } from '../../observability/logger.ts';
import { formatIssues } from '../../shared/format-issues.ts';
import type { InputOutcome } from '../inbound.ts';
import type { ChatMessageInput } from '../message.ts';
import { postToChat } from '../post-to-chat.ts';
import { redactMessage } from '../redact-message.ts';
import { SlackId, SlackTs } from './payload-shape.ts';
import { actionOfSlackId, renderSlack } from './render.ts';
import type { SlackDeps } from './slack-app.ts';
import { UserGroups } from './user-groups.ts';

/** The fields of a message or mention the bot acts on; the rest are Slack's to add. */
const MessageEvent = z.looseObject({
  channel: SlackId,
  user: SlackId.optional(),
  text: z.string().optional(),
  ts: SlackTs,
  thread_ts: SlackTs.optional(),
  subtype: z.string().optional(),
  bot_id: z.string().optional(),
  channel_type: z.string().optional(),
});

/** The fields of a click the bot acts on. */
const Click = z.looseObject({
  user: z.looseObject({ id: SlackId }),
  channel: z.looseObject({ id: SlackId }).optional(),
  message: z.looseObject({ ts: SlackTs.optional(), thread_ts: SlackTs.optional() }).optional(),
});
const Button = z.looseObject({
  action_id: z.string(),
  action_ts: SlackTs,
  value: z.string().optional(),
});

const TEXT_SUBTYPES = new Set(['file_share', 'thread_broadcast']);

/** The bot's Slack inputs: mentions, DMs, `/coxswain` and button clicks, each event acted on once. */
export function registerListeners(app: App, deps: SlackDeps, log: Logger) {
  const post = replyPoster(deps);
  app.use(onceEach(deps, log));
  listenForMessages(app, deps, post, log);
  listenForSlashCommand(app, deps, log);
  listenForClicks(app, deps, post, new UserGroups(log), log);
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
 * An event whose id another is handling (for at most the claim's minute). Coded, so Bolt passes
 * it on as it is: the inbox tries such an entry again without counting a failure.
 */
export class EventStillHandled extends Error {
  readonly code = 'coxswain_event_still_handled';
  constructor(eventId: string) {
    super(`slack event ${eventId} is still being handled`);
  }
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
    // Still being handled: not acknowledged, so Slack (or the inbox) tries again later.
    if (claim === 'pending') throw new EventStillHandled(eventId);
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

function listenForMessages(app: App, deps: SlackDeps, post: Post, log: Logger) {
  const onMessage = async (sent: unknown, kind: 'mention' | 'dm') => {
    const event = shaped(MessageEvent, sent, log);
    if (event === undefined || event.user === undefined || event.bot_id !== undefined) return;
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
    const mention = event as { channel?: unknown; channel_type?: unknown };
    if (mention.channel_type === 'im' || String(mention.channel).startsWith('D')) return;
    await onMessage(event, 'mention');
  });

  app.event('message', async ({ event }) => {
    const message = event as { subtype?: unknown; channel_type?: unknown };
    // A DM with a file or sent to the channel too is still a message to the bot.
    const plain =
      message.subtype === undefined ||
      (typeof message.subtype === 'string' && TEXT_SUBTYPES.has(message.subtype));
    if (message.channel_type !== 'im' || !plain) return;
    await onMessage(event, 'dm');
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

function listenForClicks(app: App, deps: SlackDeps, post: Post, groups: UserGroups, log: Logger) {
  app.action(/^coxswain\./, async ({ ack, body, action }) => {
    await ack();
    if (body.type !== 'block_actions' || action.type !== 'button') return;
    const clicked = shaped(Click, body, log);
    const button = shaped(Button, action, log);
    if (clicked === undefined || button === undefined) return;
    deps.onInput?.('click');
    const channel = clicked.channel?.id;
    const verb = actionOfSlackId(button.action_id);
    if (channel === undefined || verb === undefined) return;
    const thread = clicked.message?.thread_ts ?? clicked.message?.ts;
    // Approvers may be named by user group: whose groups matter only for a decision.
    const memberOf =
      verb === 'approve' || verb === 'reject' ? await groups.of(app, clicked.user.id) : [];
    const outcome = await deps.handlers.click({
      channel: `slack:${channel}`,
      requester: `slack:${clicked.user.id}`,
      action: verb,
      value: button.value ?? '',
      clickId: button.action_ts,
      thread,
      memberOf,
    });
    if (outcome.kind === 'reply')
      await post(channel, outcome.message, `${channel}.click.${button.action_ts}`, {
        thread,
        ephemeralTo: clicked.user.id,
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

/**
 * A payload's fields the bot acts on, or undefined (and a warning) when they are not what Slack
 * sends: such a payload is acknowledged and dropped, since sending it again would not help.
 */
function shaped<T extends z.ZodType>(
  schema: T,
  sent: unknown,
  log: Logger,
): z.infer<T> | undefined {
  const parsed = schema.safeParse(sent);
  if (parsed.success) return parsed.data;
  log.warn(
    { problems: formatIssues(parsed.error.issues.slice(0, 3)) },
    'slack payload dropped: not of the shape Slack sends',
  );
  return undefined;
}

/** `<@U0BOT> why …` → `why …`: the bot's own mention is how the message reached it. */
function withoutMentions(text: string): string {
  return text.replace(/^\s*(<@[A-Z0-9]+>\s*)+/, '').trim();
}
