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
/** Starting a thread from a message that has one already, or that is not a message. */
const THREAD_EXISTS = new Set([160004, 10008]);

export function discordAdapter(rest: REST, refs: MessageRefs): ChatAdapter {
  const edits = new KeyedSerialiser();
  const threadsStarted = new Set<string>();

  const startThread = async (channelId: string, thread: string, name: string) => {
    if (threadsStarted.has(thread)) return;
    try {
      await rest.post(Routes.threads(channelId, thread), {
        body: { name: clipText(name, 90), auto_archive_duration: 1440 },
      });
    } catch (error) {
      if (!(error instanceof DiscordAPIError && THREAD_EXISTS.has(Number(error.code)))) throw error;
    }
    threadsStarted.add(thread);
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
    let target = channelId;
    if (thread !== undefined) {
      await startThread(channelId, thread, message.headline ?? message.text ?? 'Coxswain');
      target = thread;
    }
    const earlier =
      replaceKey === undefined ? undefined : await refs.keyed('discord', target, replaceKey);
    if (earlier !== undefined && replaceKey !== undefined) {
      // A newer version is shown already: this one arrived late.
      if (earlier.version > version) return;
      await rest.patch(Routes.channelMessage(target, earlier.id), { body });
      await refs.setKeyed('discord', target, replaceKey, earlier.id, version);
      await refs.setDelivered('discord', deliveryId, earlier.id);
      return;
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
