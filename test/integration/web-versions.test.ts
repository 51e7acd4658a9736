import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { ChatMessage } from '../../src/chat/message.ts';
import { webAdapter } from '../../src/chat/web/adapter.ts';
import { WebStore } from '../../src/chat/web/store.ts';
import { createLogger } from '../../src/observability/logger.ts';
import { dropPrefix, testPrefix, testRedisUrl } from '../support/redis.ts';

/**
 * The console shows the newest version of an edited message: a version older than the one shown,
 * delivered late (a notification processed after a newer one), is not shown over it.
 */
const prefix = testPrefix();
const redis = new Redis(testRedisUrl());
const subscriber = new Redis(testRedisUrl());

afterAll(async () => {
  redis.disconnect();
  subscriber.disconnect();
  await dropPrefix(testRedisUrl(), prefix);
});

describe('an edited message on the console', () => {
  it('shows the newest version, whatever order the versions arrive in', async () => {
    const store = new WebStore(redis, subscriber, prefix, createLogger('silent'));
    const adapter = webAdapter(store);
    const message = (headline: string) => ChatMessage.parse({ headline });

    await adapter.deliver({
      channelId: 'alerts',
      message: message('Firing'),
      deliveryId: 'd1',
      replaceKey: 'g',
      version: 1,
    });
    await adapter.deliver({
      channelId: 'alerts',
      message: message('Resolved'),
      deliveryId: 'd2',
      replaceKey: 'g',
      version: 3,
    });
    await adapter.deliver({
      channelId: 'alerts',
      message: message('Firing again?'),
      deliveryId: 'd3',
      replaceKey: 'g',
      version: 2,
    });
    await adapter.deliver({
      channelId: 'alerts',
      message: message('Resolved, later'),
      deliveryId: 'd4',
      replaceKey: 'g',
      version: 3,
    });

    const entries = await store.history('alerts', undefined, 10);
    expect(entries.map((e) => e.message.headline)).toEqual([
      'Firing',
      'Resolved',
      'Resolved, later',
    ]);
    expect(entries.slice(1).every((e) => e.replaces === entries[0]?.id)).toBe(true);
  });
});
