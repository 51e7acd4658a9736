import type { ChatMessage } from '../../queue/message.ts';
import type { WebStore } from './store.ts';

export const BOT_NAME = 'Coxswain';

/** Delivers outbox messages to web console channels; routed channels are never refused. */
export function webAdapter(store: WebStore) {
  return {
    platform: 'web' as const,
    async deliver(channelId: string, message: ChatMessage, deliveryId: string): Promise<void> {
      await store.append(
        channelId,
        { at: new Date().toISOString(), author: BOT_NAME, bot: true, message },
        { deliveryId },
      );
    },
  };
}
