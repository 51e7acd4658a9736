import { UnrecoverableError } from 'bullmq';
import { DiscordAPIError, RateLimitError, type REST, Routes } from 'discord.js';
import { type ChatAdapter, type Delivery, RetryAfterError } from '../adapter.ts';
import type { MessageRefs } from '../message-refs.ts';
import { postOrEditAdapter } from '../post-or-edit.ts';
import { clipText } from '../trim.ts';
import { renderDiscord } from './render.ts';

/**
 * Delivers outbox messages to Discord over REST with the bot token: posts, edits in place, and
 * threads. A thread is named by the message it was started from (Discord gives the thread that
 * message's id), so the first answer in a thread starts it. Discord has no private messages in a
 * channel outside an interaction, so a message for one person mentions them.
 */
const PERMANENT: Record<number, string> = {
  10003: 'the channel does not exist or the bot cannot see it',
  50001: 'the bot has no access to the channel: add it to the channel',
  50013:
    'the bot lacks a permission there (Send Messages, Create Public Threads, Send Messages in Threads)',
  50035: 'Discord refused the message as invalid',
};
const THREAD_EXISTS = 160004;
const UNKNOWN_MESSAGE = 10008;

export function discordAdapter(rest: REST, refs: MessageRefs): ChatAdapter {
  // Where a thread's messages go, once known: the thread, or the channel when there is none.
  const threadTargets = new Map<string, string>();

  /** The thread on a message, started if need be; the channel itself if the message is gone. */
  const threadTarget = async (channelId: string, thread: string, name: string) => {
    const known = threadTargets.get(thread);
    if (known !== undefined) return known;
    let target = thread;
    try {
      await rest.post(Routes.threads(channelId, thread), {
        body: { name: threadName(name), auto_archive_duration: 1440 },
      });
    } catch (error) {
      const code = error instanceof DiscordAPIError ? Number(error.code) : undefined;
      if (code === UNKNOWN_MESSAGE) target = channelId;
      else if (code !== THREAD_EXISTS) throw error;
    }
    if (threadTargets.size > 10_000) threadTargets.clear();
    threadTargets.set(thread, target);
    return target;
  };

  const body = (delivery: Delivery): Record<string, unknown> => {
    const rendered: Record<string, unknown> = { ...renderDiscord(delivery.message) };
    const to = delivery.ephemeralTo;
    if (to === undefined) return { ...rendered, allowed_mentions: { parse: [] } };
    return { ...rendered, content: `<@${to}>`, allowed_mentions: { users: [to] } };
  };

  return postOrEditAdapter('discord', refs, {
    place: ({ channelId, thread, message }) =>
      thread === undefined
        ? Promise.resolve(channelId)
        : threadTarget(channelId, thread, message.headline ?? message.text ?? ''),
    async post(delivery, place) {
      const posted = (await rest.post(Routes.channelMessages(place), {
        body: body(delivery),
      })) as { id: string };
      return posted.id;
    },
    edit: (delivery, place, id) =>
      rest
        .patch(Routes.channelMessage(place, id), { body: body(delivery) })
        .then(() => true)
        .catch((error: unknown) => {
          // Someone deleted the message: the next version is posted anew.
          if (error instanceof DiscordAPIError && Number(error.code) === UNKNOWN_MESSAGE)
            return false;
          throw error;
        }),
    outboxError: discordError,
  });
}

/** A thread's name from the text that starts it: one line, 1-100 characters. */
export function threadName(text: string): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return line === '' ? 'Coxswain' : clipText(line, 90);
}

/** REST errors as the outbox understands them. */
function discordError(error: unknown): unknown {
  if (error instanceof RateLimitError)
    return new RetryAfterError(Math.max(100, error.retryAfter || error.timeToReset));
  if (error instanceof DiscordAPIError) {
    const hint = PERMANENT[Number(error.code)];
    if (hint !== undefined)
      return new UnrecoverableError(`Discord refused the message (${error.code}): ${hint}`);
  }
  return error;
}
