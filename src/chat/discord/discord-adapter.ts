import { UnrecoverableError } from 'bullmq';
import { DiscordAPIError, RateLimitError, type REST, Routes } from 'discord.js';
import { type ChatAdapter, type Delivery, RetryAfterError } from '../adapter.ts';
import type { MessageRefs } from '../message-refs.ts';
import { KeyedSerialiser } from '../serialise.ts';
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
  const edits = new KeyedSerialiser();
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

  const deliver = async (delivery: Delivery) => {
    const { channelId, deliveryId, replaceKey, thread, message } = delivery;
    const version = delivery.version ?? 0;
    if ((await refs.delivered('discord', deliveryId)) !== undefined) return;
    const body: Record<string, unknown> = { ...renderDiscord(message) };
    if (delivery.ephemeralTo !== undefined) {
      body.content = `<@${delivery.ephemeralTo}>`;
      body.allowed_mentions = { users: [delivery.ephemeralTo] };
    } else body.allowed_mentions = { parse: [] };
    const target =
      thread === undefined
        ? channelId
        : await threadTarget(channelId, thread, message.headline ?? message.text ?? '');
    const earlier =
      replaceKey === undefined ? undefined : await refs.keyed('discord', target, replaceKey);
    if (earlier !== undefined && replaceKey !== undefined) {
      // A newer version is shown already: this one arrived late.
      if (earlier.version > version) return;
      const updated = await rest
        .patch(Routes.channelMessage(target, earlier.id), { body })
        .then(() => true)
        .catch((error: unknown) => {
          // Someone deleted the message: the next version is posted anew.
          if (error instanceof DiscordAPIError && Number(error.code) === UNKNOWN_MESSAGE)
            return false;
          throw error;
        });
      if (updated) {
        await refs.setKeyed('discord', target, replaceKey, earlier.id, version);
        await refs.setDelivered('discord', deliveryId, earlier.id);
        return;
      }
    }
    const posted = (await rest.post(Routes.channelMessages(target), { body })) as { id: string };
    if (replaceKey !== undefined)
      await refs.setKeyed('discord', target, replaceKey, posted.id, version);
    await refs.setDelivered('discord', deliveryId, posted.id);
  };

  return {
    platform: 'discord',
    async deliver(delivery) {
      try {
        if (delivery.replaceKey === undefined) await deliver(delivery);
        else
          await edits.run(`${delivery.channelId}/${delivery.replaceKey}`, () => deliver(delivery));
      } catch (error) {
        throw discordError(error);
      }
    },
  };
}

/** A thread's name from the text that starts it: one line, 1-100 characters. */
export function threadName(text: string): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return line === '' ? 'Coxswain' : clipText(line, 90);
}

/** REST errors as the outbox understands them. */
export function discordError(error: unknown): unknown {
  if (error instanceof RateLimitError)
    return new RetryAfterError(Math.max(100, error.retryAfter || error.timeToReset));
  if (error instanceof DiscordAPIError) {
    const hint = PERMANENT[Number(error.code)];
    if (hint !== undefined)
      return new UnrecoverableError(`Discord refused the message (${error.code}): ${hint}`);
  }
  return error;
}
