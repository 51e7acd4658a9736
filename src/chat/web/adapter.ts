import type { Delivery } from '../adapter.ts';
import { ThreadRootNotYetPosted } from '../post-or-edit.ts';
import { KeyedSerialiser } from '../serialise.ts';
import { isStreamId } from './entry.ts';
import type { KeyedEntry, WebStore } from './store.ts';

const BOT_NAME = 'Coxswain';

/**
 * Delivers outbox messages to web console channels; routed channels are never refused. A message
 * for a thread is stored as a reply to the thread's first message; the console has no private
 * messages, so those are shown to everyone in the channel (or thread).
 */
export function webAdapter(store: WebStore) {
  // Edits of one message are delivered one at a time in this process, so the first is known
  // before the next and they land in the order they were taken from the outbox.
  const edits = new KeyedSerialiser();
  const deliver = async (delivery: Delivery) => {
    const { channelId, message, deliveryId, replaceKey, version } = delivery;
    const first = replaceKey === undefined ? undefined : await store.keyed(channelId, replaceKey);
    // A newer version is shown already: this one arrived late.
    if (first !== undefined && first.version > (version ?? 0)) return;
    const thread = await threadOf(store, delivery, first);
    const entry = {
      at: new Date().toISOString(),
      author: BOT_NAME,
      bot: true,
      message,
      ...(first === undefined ? {} : { replaces: first.id }),
      ...(thread === undefined ? {} : { thread }),
    };
    const id = await store.append(channelId, entry, { deliveryId });
    if (replaceKey !== undefined && id !== undefined)
      await store.setKeyed(channelId, replaceKey, { id: first?.id ?? id, thread }, version ?? 0);
  };
  return {
    platform: 'web' as const,
    deliver(delivery: Delivery): Promise<void> {
      if (delivery.replaceKey === undefined) return deliver(delivery);
      return edits.run(`${delivery.channelId}/${delivery.replaceKey}`, () => deliver(delivery));
    },
  };
}

/**
 * The first entry of the thread a message goes in, if any. A new version stays where the first
 * was posted. A thread key names the bot's message whose thread it is (a reply's thread is its
 * message's thread: threads do not nest); until that message is posted the delivery waits, as it
 * does on Slack and Discord. A thread given that is not a console entry id cannot be one here.
 */
async function threadOf(
  store: WebStore,
  delivery: Delivery,
  first: KeyedEntry | undefined,
): Promise<string | undefined> {
  if (first !== undefined) return first.thread;
  if (delivery.thread !== undefined)
    return isStreamId(delivery.thread) ? delivery.thread : undefined;
  if (delivery.threadKey === undefined) return undefined;
  const root = await store.keyed(delivery.channelId, delivery.threadKey);
  if (root === undefined) throw new ThreadRootNotYetPosted(delivery.threadKey);
  return root.thread ?? root.id;
}
