import type { Delivery } from '../adapter.ts';
import { KeyedSerialiser } from '../serialise.ts';
import type { WebStore } from './store.ts';

const BOT_NAME = 'Coxswain';

/**
 * Delivers outbox messages to web console channels; routed channels are never refused. The
 * console has no threads or private messages: those messages are shown in the channel.
 */
export function webAdapter(store: WebStore) {
  // Edits of one message are delivered one at a time in this process, so the first is known
  // before the next and they land in the order they were taken from the outbox.
  const edits = new KeyedSerialiser();
  const deliver = async ({ channelId, message, deliveryId, replaceKey, version }: Delivery) => {
    const first = replaceKey === undefined ? undefined : await store.keyed(channelId, replaceKey);
    // A newer version is shown already: this one arrived late.
    if (first !== undefined && first.version > (version ?? 0)) return;
    const entry = {
      at: new Date().toISOString(),
      author: BOT_NAME,
      bot: true,
      message,
      ...(first === undefined ? {} : { replaces: first.id }),
    };
    const id = await store.append(channelId, entry, { deliveryId });
    if (replaceKey !== undefined && id !== undefined)
      await store.setKeyed(channelId, replaceKey, first?.id ?? id, version ?? 0);
  };
  return {
    platform: 'web' as const,
    deliver(delivery: Delivery): Promise<void> {
      if (delivery.replaceKey === undefined) return deliver(delivery);
      return edits.run(`${delivery.channelId}/${delivery.replaceKey}`, () => deliver(delivery));
    },
  };
}
