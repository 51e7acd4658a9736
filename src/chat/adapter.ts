import type { Platform } from '../shared/channel.ts';
import type { ChatMessage } from './message.ts';

/** One outbox message, as an adapter receives it. */
export type Delivery = {
  /** The channel's id on the platform (without the `platform:` prefix). */
  channelId: string;
  message: ChatMessage;
  /** Stable across retries of the same outbox job, so delivery can be made idempotent. */
  deliveryId: string;
  /** The message replaces the earlier one with this key in the channel, where there is one. */
  replaceKey?: string | undefined;
  /** Of a replaced message: a lower version than the one shown is not shown. */
  version?: number | undefined;
  /** Posted in this thread (Slack `thread_ts`, the Discord thread's starter message). */
  thread?: string | undefined;
  /** Posted in the thread of the bot's message under this replace key, once that is posted. */
  threadKey?: string | undefined;
  /** Visible only to this platform user where the platform can do that. */
  ephemeralTo?: string | undefined;
};

/** What the outbox needs from a chat platform. */
export type ChatAdapter = {
  platform: Platform;
  deliver(delivery: Delivery): Promise<void>;
};

/**
 * The platform asked to be called again later (HTTP 429 with Retry-After). The outbox puts the
 * message back for that long; it is not a failed attempt.
 */
export class RetryAfterError extends Error {
  readonly retryAfterMs: number;

  constructor(retryAfterMs: number, message = `rate limited; retry after ${retryAfterMs} ms`) {
    super(message);
    this.name = 'RetryAfterError';
    this.retryAfterMs = retryAfterMs;
  }
}
