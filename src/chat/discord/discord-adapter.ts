import { createHash } from 'node:crypto';
import { UnrecoverableError } from 'bullmq';
import { DiscordAPIError, RateLimitError, type REST, Routes } from 'discord.js';
import type { Logger } from '../../observability/logger.ts';
import { type ChatAdapter, type Delivery, RetryAfterError } from '../adapter.ts';
import type { MessageRefs } from '../message-refs.ts';
import { postOrEditAdapter, ThreadUnavailable } from '../post-or-edit.ts';
import { renderDiscord } from './render.ts';
import { codeOf, DiscordCode, threadPlaces } from './threads.ts';

/**
 * Delivers outbox messages to Discord over REST with the bot token: posts, edits in place, and
 * threads (`threads.ts`). Discord has no private messages in a channel outside an interaction, so
 * a message for one person mentions them. Every post carries a nonce from its delivery that
 * Discord enforces, so a post retried after its answer was lost returns the message it made
 * instead of making another.
 */
const PERMANENT: Record<number, string> = {
  [DiscordCode.UnknownChannel]: 'the channel does not exist or the bot cannot see it',
  50001: 'the bot has no access to the channel: add it to the channel',
  [DiscordCode.MissingPermissions]:
    'the bot lacks a permission there (Send Messages, Create Public Threads, Send Messages in Threads)',
  50035: 'Discord refused the message as invalid',
};

export function discordAdapter(rest: REST, refs: MessageRefs, log: Logger): ChatAdapter {
  const threads = threadPlaces(rest, log);

  const body = (delivery: Delivery): Record<string, unknown> => {
    const rendered: Record<string, unknown> = { ...renderDiscord(delivery.message) };
    const to = delivery.ephemeralTo;
    if (to === undefined) return { ...rendered, allowed_mentions: { parse: [] } };
    return { ...rendered, content: `<@${to}>`, allowed_mentions: { users: [to] } };
  };

  /** The error, or what it means for the thread the message was for. */
  const inPlace = (error: unknown, delivery: Delivery, place: string) =>
    place === delivery.channelId ? error : (threads.unavailable(error, delivery) ?? error);

  const patch = (delivery: Delivery, place: string, id: string) =>
    rest.patch(Routes.channelMessage(place, id), { body: body(delivery) }).then(
      () => true,
      (error: unknown) => {
        // Someone deleted the message: the next version is posted anew.
        if (codeOf(error) === DiscordCode.UnknownMessage) return false;
        throw error;
      },
    );

  return postOrEditAdapter('discord', refs, log, {
    place: (delivery) => threads.place(delivery),
    async post(delivery, place) {
      const posted = (await rest
        .post(Routes.channelMessages(place), {
          body: { ...body(delivery), nonce: nonceOf(delivery.deliveryId), enforce_nonce: true },
        })
        .catch((error: unknown) => {
          throw inPlace(error, delivery, place);
        })) as { id: string };
      return posted.id;
    },
    async edit(delivery, place, id) {
      try {
        return await patch(delivery, place, id);
      } catch (error) {
        if (place === delivery.channelId || codeOf(error) !== DiscordCode.Archived)
          throw inPlace(error, delivery, place);
      }
      // Nothing in an archived thread can be edited; the bot may reopen the thread it started.
      await threads.reopen(delivery, place);
      return patch(delivery, place, id).catch((error: unknown) => {
        throw inPlace(error, delivery, place);
      });
    },
    outboxError: discordError,
  });
}

/** A delivery's nonce: the same for every attempt at it, within Discord's 25 characters. */
function nonceOf(deliveryId: string): string {
  return createHash('sha256').update(deliveryId).digest('base64url').slice(0, 25);
}

/** REST errors as the outbox understands them. */
function discordError(error: unknown): unknown {
  if (error instanceof ThreadUnavailable) return error;
  if (error instanceof RateLimitError)
    return new RetryAfterError(Math.max(100, error.retryAfter || error.timeToReset));
  if (error instanceof DiscordAPIError) {
    const hint = PERMANENT[Number(error.code)];
    if (hint !== undefined)
      return new UnrecoverableError(`Discord refused the message (${error.code}): ${hint}`);
  }
  return error;
}
