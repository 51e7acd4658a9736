import type { ChatMessage } from '../../queue/message.ts';
import type { WebStore } from './store.ts';

export const BOT_NAME = 'Coxswain';

/** Delivers outbox messages to web console channels; routed channels are never refused. */
export function webAdapter(store: WebStore) {
  return {
    platform: 'web' as const,
    async deliver(
      channelId: string,
      message: ChatMessage,
      deliveryId: string,
      replaceKey?: string,
    ): Promise<void> {
      const first = replaceKey === undefined ? undefined : await store.keyed(channelId, replaceKey);
      const entry = {
        at: new Date().toISOString(),
        author: BOT_NAME,
        bot: true,
        message,
        ...(first === undefined ? {} : { replaces: first }),
      };
      const id = await store.append(channelId, entry, { deliveryId });
      if (replaceKey !== undefined && first === undefined && id !== undefined)
        await store.setKeyed(channelId, replaceKey, id);
    },
  };
}
