import type { Logger } from '../observability/logger.ts';
import type { Platform } from '../shared/channel.ts';
import type { ChatAdapter, Delivery } from './adapter.ts';
import type { MessageRefs } from './message-refs.ts';
import { KeyedSerialiser } from './serialise.ts';

/**
 * What Slack and Discord share in delivering a message: a retried delivery posts nothing twice;
 * a message with a replace key edits the one posted before (an older version arriving after a
 * newer one is dropped, and a message someone deleted is posted anew, once: the new message is
 * recorded before the next edit of the key goes out); edits of one message go out one at a time
 * in this process. A message whose thread is gone goes to the thread its key names now, when the
 * thread's first message was posted anew, and to the channel otherwise: never lost, never twice.
 */
type Poster = {
  /** Where the message goes (a thread may be its own channel); keys are kept per place. */
  place(delivery: Delivery): Promise<string>;
  /** Throws `ThreadUnavailable` when the thread is gone or closed to the bot. */
  post(delivery: Delivery, place: string): Promise<string>;
  /** False when the message is gone; throws `ThreadUnavailable` as `post` does. */
  edit(delivery: Delivery, place: string, id: string): Promise<boolean>;
  /** Delivered another way, outside the post-and-edit bookkeeping (Slack's ephemeral). */
  direct?(delivery: Delivery): Promise<boolean>;
  /** The platform's error as the outbox understands it. */
  outboxError(error: unknown): unknown;
};

export function postOrEditAdapter(
  platform: Platform,
  refs: MessageRefs,
  log: Logger,
  poster: Poster,
): ChatAdapter {
  const edits = new KeyedSerialiser();

  const deliverAt = async (delivery: Delivery) => {
    const { deliveryId, replaceKey } = delivery;
    const version = delivery.version ?? 0;
    const place = await poster.place(delivery);
    const record = (id: string) =>
      refs.recordDelivery(platform, { deliveryId, place, replaceKey, version }, id);
    const earlier =
      replaceKey === undefined ? undefined : await refs.keyed(platform, place, replaceKey);
    if (earlier !== undefined) {
      // A newer version is shown already: this one arrived late.
      if (earlier.version > version) return;
      if (await poster.edit(delivery, place, earlier.id)) return record(earlier.id);
    }
    const id = await poster.post(delivery, place);
    await record(id);
    if (earlier !== undefined)
      log.info(
        { channel: delivery.channelId, place, key: replaceKey, gone: earlier.id, id },
        'message was deleted: posted anew',
      );
  };

  const deliver = async (given: Delivery) => {
    const delivery = await inThread(platform, refs, given);
    if (await poster.direct?.(delivery)) return;
    if ((await refs.delivered(platform, delivery.deliveryId)) !== undefined) return;
    try {
      await deliverAt(delivery);
    } catch (error) {
      if (!(error instanceof ThreadUnavailable)) throw error;
      const next = await elsewhere(platform, refs, given, delivery);
      log.warn(
        {
          channel: delivery.channelId,
          thread: delivery.thread,
          why: error.why,
          to: next.thread ?? 'channel',
        },
        'thread unavailable: message goes elsewhere',
      );
      await deliverAt(next);
    }
  };

  return {
    platform,
    async deliver(delivery) {
      try {
        if (delivery.replaceKey === undefined) await deliver(delivery);
        else
          await edits.run(`${delivery.channelId}/${delivery.replaceKey}`, () => deliver(delivery));
      } catch (error) {
        if (error instanceof ThreadRootNotYetPosted) throw error;
        throw poster.outboxError(error);
      }
    },
  };
}

/** The root of a thread named by its message's replace key is not posted yet: try again soon. */
export class ThreadRootNotYetPosted extends Error {
  constructor(key: string) {
    super(`the message that starts thread ${key} is not posted yet`);
    this.name = 'ThreadRootNotYetPosted';
  }
}

/**
 * The thread a message was for cannot take it: someone deleted it (or the message it hung on,
 * with nothing left of it), or a moderator locked it.
 */
export class ThreadUnavailable extends Error {
  readonly why: 'deleted' | 'locked';

  constructor(thread: string, why: 'deleted' | 'locked') {
    super(`thread ${thread} is ${why}`);
    this.name = 'ThreadUnavailable';
    this.why = why;
  }
}

/** The delivery with the thread its thread key names: the platform's id of that message. */
async function inThread(platform: Platform, refs: MessageRefs, delivery: Delivery) {
  if (delivery.thread !== undefined || delivery.threadKey === undefined) return delivery;
  const root = await refs.keyed(platform, delivery.channelId, delivery.threadKey);
  if (root === undefined) throw new ThreadRootNotYetPosted(delivery.threadKey);
  return { ...delivery, thread: root.id };
}

/**
 * Where a message goes when the thread it was for is unavailable: the thread of the message its
 * key names now, if that message was posted anew since; otherwise the channel, at once (as Slack
 * itself does with a reply to a deleted message), so nothing waits on a message that may never
 * come back.
 */
async function elsewhere(
  platform: Platform,
  refs: MessageRefs,
  given: Delivery,
  tried: Delivery,
): Promise<Delivery> {
  if (given.thread === undefined && given.threadKey !== undefined) {
    const root = await refs.keyed(platform, given.channelId, given.threadKey);
    if (root !== undefined && root.id !== tried.thread) return { ...given, thread: root.id };
  }
  return { ...given, thread: undefined, threadKey: undefined };
}
