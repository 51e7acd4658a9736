import { DiscordAPIError, type REST, Routes } from 'discord.js';
import type { Logger } from '../../observability/logger.ts';
import type { Delivery } from '../adapter.ts';
import { ThreadUnavailable } from '../post-or-edit.ts';
import { clipText } from '../trim.ts';

/**
 * Where a Discord message in a thread goes. A thread is named by the message it was started
 * from (Discord gives the thread that message's id), so the first message for it starts it.
 * Threads change under the bot: a message deleted with its thread started leaves the thread
 * behind under the same id; a deleted thread is Unknown Channel; an archived one takes new
 * messages (sending reopens it) but no edits until reopened, which the bot may do for a thread
 * it started; a locked one refuses the bot unless it has Manage Threads.
 */
export const DiscordCode = {
  UnknownChannel: 10003,
  UnknownMessage: 10008,
  MissingPermissions: 50013,
  Archived: 50083,
  ThreadExists: 160004,
  ThreadLocked: 160005,
} as const;

export function codeOf(error: unknown): number | undefined {
  return error instanceof DiscordAPIError ? Number(error.code) : undefined;
}

/** A thread's name from the text that starts it: one line, 1-100 characters. */
export function threadName(text: string): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return line === '' ? 'Coxswain' : clipText(line, 90);
}

export function threadPlaces(rest: REST, log: Logger) {
  // Where a thread's messages go, once known: the thread, or the channel when there is none.
  const targets = new Map<string, string>();
  const remember = (thread: string, target: string) => {
    if (targets.size > 10_000) targets.clear();
    targets.set(thread, target);
  };

  /** The thread on a message, started if need be; the channel itself when neither is left. */
  const start = async (channelId: string, thread: string, name: string) => {
    try {
      await rest.post(Routes.threads(channelId, thread), {
        body: { name: threadName(name), auto_archive_duration: 1440 },
      });
      return thread;
    } catch (error) {
      const code = codeOf(error);
      if (code === DiscordCode.ThreadExists) return thread;
      if (code !== DiscordCode.UnknownMessage) throw error;
    }
    // A thread outlives the message it was started from, under the same id.
    const left = await threadOf(rest, channelId, thread);
    log.info(
      { channel: channelId, thread, to: left ? 'thread' : 'channel' },
      'thread message was deleted',
    );
    return left ? thread : channelId;
  };

  /** The delivery's thread cannot take messages from now on: they go elsewhere. */
  const lost = (delivery: Delivery, why: 'deleted' | 'locked') => {
    if (delivery.thread === undefined) return undefined;
    remember(delivery.thread, delivery.channelId);
    return new ThreadUnavailable(delivery.thread, why);
  };

  /**
   * What an error from a thread means: unavailable from now on (deleted, or locked to the bot:
   * sending to an archived thread reopens it unless it is locked), or undefined when it is
   * something else.
   */
  const unavailable = (error: unknown, delivery: Delivery) => {
    const code = codeOf(error);
    if (code === DiscordCode.UnknownChannel) return lost(delivery, 'deleted');
    if (code === DiscordCode.Archived || code === DiscordCode.ThreadLocked)
      return lost(delivery, 'locked');
    return undefined;
  };

  return {
    /** Where the delivery goes: its thread (started if need be), or the channel. */
    async place({ channelId, thread, message }: Delivery): Promise<string> {
      if (thread === undefined) return channelId;
      const known = targets.get(thread);
      if (known !== undefined) return known;
      const target = await start(channelId, thread, message.headline ?? message.text ?? '');
      remember(thread, target);
      return target;
    },

    unavailable,

    /** Reopens an archived thread to edit in it; one a moderator locked stays shut to the bot. */
    async reopen(delivery: Delivery, thread: string): Promise<void> {
      try {
        await rest.patch(Routes.channel(thread), { body: { archived: false } });
      } catch (error) {
        if (codeOf(error) === DiscordCode.MissingPermissions)
          throw lost(delivery, 'locked') ?? error;
        throw unavailable(error, delivery) ?? error;
      }
      log.info(
        { channel: delivery.channelId, thread },
        'thread was archived: reopened to edit in it',
      );
    },
  };
}

/** Whether a thread under this id, in this channel, is still there (its message may not be). */
async function threadOf(rest: REST, channelId: string, id: string): Promise<boolean> {
  try {
    const channel = (await rest.get(Routes.channel(id))) as { parent_id?: string | null };
    return channel.parent_id === channelId;
  } catch (error) {
    if (codeOf(error) === DiscordCode.UnknownChannel) return false;
    throw error;
  }
}
