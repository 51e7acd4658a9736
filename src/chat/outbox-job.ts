import { z } from 'zod';
import { ThreadRef } from '../queue/jobs.ts';
import { ChannelRef } from '../shared/channel.ts';
import { ChatMessage } from './message.ts';

/** A message for a chat channel. Only `postToChat` adds one; the outbox worker delivers it. */
export const OutboxJob = z.object({
  channel: ChannelRef,
  message: ChatMessage,
  /** Posted in this thread of the channel. */
  thread: ThreadRef.optional(),
  /**
   * Posted in the thread of the message this bot posted under this replace key (an alert group's
   * message): the platform's id of that message is known only once it is delivered.
   */
  threadKey: z
    .string()
    .regex(/^[A-Za-z0-9_.:-]{1,200}$/)
    .optional(),
  /** Shown only to this platform user where the platform can (Slack); posted to them elsewhere. */
  ephemeralTo: z
    .string()
    .regex(/^[A-Za-z0-9_.-]{1,100}$/)
    .optional(),
  /** Messages with the same key in a channel are one message, edited in place (a run's status). */
  replaceKey: z
    .string()
    .regex(/^[A-Za-z0-9_.:-]{1,200}$/)
    .optional(),
  /**
   * Orders the versions of a replaced message: pacing and retries can deliver them out of order,
   * and an older version arriving after a newer one is dropped.
   */
  version: z.number().int().nonnegative().optional(),
});
export type OutboxJob = z.infer<typeof OutboxJob>;
