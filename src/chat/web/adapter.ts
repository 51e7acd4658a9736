import type { ChatMessage } from '../../queue/message.ts';
import type { WebStore } from './store.ts';

export const BOT_NAME = 'Coxswain';

/** Delivers outbox messages to web console channels; routed channels are never refused. */
export function webAdapter(store: WebStore) {
  // Edits of one message are delivered one at a time in this process, so the first is known
  // before the next and they land in the order they were taken from the outbox.
  const editing = new Map<string, Promise<void>>();
  const deliver = async (
    channelId: string,
    message: ChatMessage,
    deliveryId: string,
    replaceKey?: string,
  ) => {
    const first = replaceKey === undefined ? undefined : await store.keyed(channelId, replaceKey);
    const entry = {
      at: new Date().toISOString(),
      author: BOT_NAME,
      bot: true,
      message,
      ...(first === undefined ? {} : { replaces: first }),
    };
    const id = await store.append(channelId, entry, { deliveryId });
    if (replaceKey !== undefined && first === undefined && id !== undefined) {
      await store.setKeyed(channelId, replaceKey, id);
    }
  };
  return {
    platform: 'web' as const,
    deliver(
      channelId: string,
      message: ChatMessage,
      deliveryId: string,
      replaceKey?: string,
    ): Promise<void> {
      if (replaceKey === undefined) return deliver(channelId, message, deliveryId);
      const key = `${channelId}/${replaceKey}`;
      const next = (editing.get(key) ?? Promise.resolve())
        .catch(() => undefined)
        .then(() => deliver(channelId, message, deliveryId, replaceKey));
      editing.set(key, next);
      void next
        .finally(() => {
          if (editing.get(key) === next) editing.delete(key);
        })
        .catch(() => undefined);
      return next;
    },
  };
}
