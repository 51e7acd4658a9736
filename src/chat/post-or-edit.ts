import type { Platform } from '../shared/channel.ts';
import type { ChatAdapter, Delivery } from './adapter.ts';
import type { MessageRefs } from './message-refs.ts';
import { KeyedSerialiser } from './serialise.ts';

/**
 * What Slack and Discord share in delivering a message: a retried delivery posts nothing twice;
 * a message with a replace key edits the one posted before (an older version arriving after a
 * newer one is dropped, and a message someone deleted is posted anew); edits of one message go
 * out one at a time in this process, so the first post is known before the next edit.
 */
type Poster = {
  /** Where the message goes (a thread may be its own channel); keys are kept per place. */
  place(delivery: Delivery): Promise<string>;
  post(delivery: Delivery, place: string): Promise<string>;
  /** False when the message is gone. */
  edit(delivery: Delivery, place: string, id: string): Promise<boolean>;
  /** Delivered another way, outside the post-and-edit bookkeeping (Slack's ephemeral). */
  direct?(delivery: Delivery): Promise<boolean>;
  /** The platform's error as the outbox understands it. */
  outboxError(error: unknown): unknown;
};

export function postOrEditAdapter(
  platform: Platform,
  refs: MessageRefs,
  poster: Poster,
): ChatAdapter {
  const edits = new KeyedSerialiser();
  const deliver = async (given: Delivery) => {
    const delivery = await inThread(platform, refs, given);
    if (await poster.direct?.(delivery)) return;
    const { deliveryId, replaceKey } = delivery;
    const version = delivery.version ?? 0;
    if ((await refs.delivered(platform, deliveryId)) !== undefined) return;
    const place = await poster.place(delivery);
    const earlier =
      replaceKey === undefined ? undefined : await refs.keyed(platform, place, replaceKey);
    if (earlier !== undefined && replaceKey !== undefined) {
      // A newer version is shown already: this one arrived late.
      if (earlier.version > version) return;
      if (await poster.edit(delivery, place, earlier.id)) {
        await refs.setKeyed(platform, place, replaceKey, earlier.id, version);
        await refs.setDelivered(platform, deliveryId, earlier.id);
        return;
      }
    }
    const id = await poster.post(delivery, place);
    if (replaceKey !== undefined) await refs.setKeyed(platform, place, replaceKey, id, version);
    await refs.setDelivered(platform, deliveryId, id);
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

/** The delivery with the thread its thread key names: the platform's id of that message. */
async function inThread(platform: Platform, refs: MessageRefs, delivery: Delivery) {
  if (delivery.thread !== undefined || delivery.threadKey === undefined) return delivery;
  const root = await refs.keyed(platform, delivery.channelId, delivery.threadKey);
  if (root === undefined) throw new ThreadRootNotYetPosted(delivery.threadKey);
  return { ...delivery, thread: root.id };
}
