import { z } from 'zod';
import { WEB_CHANNEL_PATTERN } from '../../shared/channel.ts';
import { ChatMessage } from '../message.ts';

/** A web console channel id: lower-case, as typed after `#`. */
export const WebChannelId = z
  .string()
  .regex(WEB_CHANNEL_PATTERN, 'must be 1-80 lower-case letters, digits, ".", "_" or "-"');

const StreamId = z.string().regex(/^\d{1,20}-\d{1,20}$/);

/** One line in a web console channel, as stored in Redis and sent to browsers. */
export const ConsoleEntry = z.object({
  at: z.iso.datetime(),
  author: z.string().min(1).max(40),
  bot: z.boolean(),
  message: ChatMessage,
  /** This entry is a new version of the one with this id (a status being edited). */
  replaces: StreamId.optional(),
  /** A reply in the thread of the channel's entry with this id (its first version's). */
  thread: StreamId.optional(),
});
export type ConsoleEntry = z.infer<typeof ConsoleEntry>;

/** How many replies a message's thread has, and when the latest came. */
export type ThreadSummary = { count: number; latestAt: string };

/** An entry with its place in the channel: the Redis stream id, also the SSE event id. */
export type StoredEntry = ConsoleEntry & {
  id: string;
  channel: string;
  /** Of a reply (not an edit of one): its number in its thread, so the count can be kept. */
  replyNumber?: number;
  /** Of a message with a thread, as it was when this entry was read. */
  replies?: ThreadSummary;
};

/** Orders Redis stream ids (`<ms>-<seq>`). */
export function compareStreamIds(a: string, b: string): number {
  const [am = '0', as = '0'] = a.split('-');
  const [bm = '0', bs = '0'] = b.split('-');
  const ms = BigInt(am) - BigInt(bm);
  if (ms !== 0n) return ms < 0n ? -1 : 1;
  const seq = BigInt(as) - BigInt(bs);
  return seq === 0n ? 0 : seq < 0n ? -1 : 1;
}

export function isStreamId(value: string): boolean {
  return /^\d{1,20}-\d{1,20}$/.test(value);
}
