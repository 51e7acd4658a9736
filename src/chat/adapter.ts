import type { Platform } from '../queue/channel.ts';
import type { ChatMessage } from '../queue/message.ts';

/**
 * What the outbox needs from a chat platform. `deliveryId` is stable across retries of the same
 * outbox job, so an adapter can make delivery idempotent.
 */
export type ChatAdapter = {
  platform: Platform;
  /** With `replaceKey`, the message replaces the earlier one with that key, where there is one. */
  deliver(
    channelId: string,
    message: ChatMessage,
    deliveryId: string,
    replaceKey?: string,
  ): Promise<void>;
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
