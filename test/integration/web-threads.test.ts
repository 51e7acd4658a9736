import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Delivery } from '../../src/chat/adapter.ts';
import { ChatMessage } from '../../src/chat/message.ts';
import { ThreadRootNotYetPosted } from '../../src/chat/post-or-edit.ts';
import { webAdapter } from '../../src/chat/web/adapter.ts';
import type { StoredEntry } from '../../src/chat/web/entry.ts';
import { WebStore } from '../../src/chat/web/store.ts';
import { createLogger } from '../../src/observability/logger.ts';
import { dropPrefix, testPrefix, testRedisUrl } from '../support/redis.ts';

/**
 * Threads on the console: what the outbox posts in an alert group's thread is stored as a reply
 * to the group's message once that message is there (and waits until it is), edits inside the
 * thread stay there, and the thread reads whole with its reply count.
 */
const prefix = testPrefix();
const redis = new Redis(testRedisUrl());
const subscriber = new Redis(testRedisUrl());
const store = new WebStore(redis, subscriber, prefix, createLogger('silent'));
const adapter = webAdapter(store);
const live: StoredEntry[] = [];

beforeAll(async () => {
  store.on('entry', (entry) => live.push(entry));
  await store.start();
});

afterAll(async () => {
  redis.disconnect();
  subscriber.disconnect();
  await dropPrefix(testRedisUrl(), prefix);
});

const deliver = (deliveryId: string, headline: string, extra: Partial<Delivery> = {}) =>
  adapter.deliver({
    channelId: 'alerts',
    message: ChatMessage.parse({ headline }),
    deliveryId,
    ...extra,
  });

const headlines = (entries: StoredEntry[]) => entries.map((e) => e.message.headline);

/** The live feed is pub/sub: an entry published is heard a moment later. */
async function heard(headline: string): Promise<StoredEntry> {
  for (let i = 0; i < 200; i++) {
    const entry = live.findLast((e) => e.message.headline === headline);
    if (entry !== undefined) return entry;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`never heard ${headline}`);
}

describe('a thread on the console', () => {
  it('waits for its first message, keeps edits in the thread, and reads whole with its count', async () => {
    const inThread = { threadKey: 'alert.g1' };

    await expect(deliver('early', 'Looking into it…', inThread)).rejects.toBeInstanceOf(
      ThreadRootNotYetPosted,
    );
    expect(await store.history('alerts', undefined, 10)).toEqual([]);

    await deliver('group.1', 'Firing: PaymentsDown', { replaceKey: 'alert.g1', version: 1 });
    const statusKey = { ...inThread, replaceKey: 'status.run1' };
    await deliver('status.start', 'Looking into it…', { ...statusKey, version: 0 });
    await deliver('status.answer', 'Answered: OOM killed', { ...statusKey, version: 1 });
    await deliver('card', 'Approve? raise the memory limit', inThread);
    await deliver('card', 'Approve? raise the memory limit', inThread);
    await deliver('group.2', 'Resolved: PaymentsDown', { replaceKey: 'alert.g1', version: 2 });

    const [root, status, answer, card, resolved] = await store.history('alerts', undefined, 10);
    expect(headlines([root, status, answer, card, resolved] as StoredEntry[])).toEqual([
      'Firing: PaymentsDown',
      'Looking into it…',
      'Answered: OOM killed',
      'Approve? raise the memory limit',
      'Resolved: PaymentsDown',
    ]);
    const rootId = root?.id ?? '';
    expect(root?.thread).toBeUndefined();
    expect(resolved).toMatchObject({ replaces: rootId, replies: { count: 2 } });
    expect(resolved?.thread).toBeUndefined();
    expect(status).toMatchObject({ thread: rootId, replyNumber: 1 });
    expect(answer).toMatchObject({ thread: rootId, replaces: status?.id });
    expect(answer?.replyNumber).toBeUndefined();
    expect(card).toMatchObject({ thread: rootId, replyNumber: 2 });
    expect(root?.replies).toEqual({ count: 2, latestAt: card?.at });

    const thread = await store.thread('alerts', rootId);
    expect(thread.map((e) => e.id)).toEqual(
      [root, status, answer, card, resolved].map((e) => e?.id),
    );

    expect(await heard('Approve? raise the memory limit')).toMatchObject({ replyNumber: 2 });
    expect(await heard('Resolved: PaymentsDown')).toMatchObject({ replies: { count: 2 } });
  });

  it('posts in a thread named by its first entry, and a reply to a reply in the same thread', async () => {
    await deliver('group.g2', 'Firing: NodeNotReady', { replaceKey: 'alert.g2', version: 1 });
    const root = (await store.keyed('alerts', 'alert.g2'))?.id ?? '';
    await deliver('status.g2', 'Looking into it…', { threadKey: 'alert.g2', replaceKey: 'run2' });

    await deliver('answer.g2', 'You asked: status', { thread: root });
    await deliver('nested', 'Still the same thread', { threadKey: 'run2' });

    const thread = await store.thread('alerts', root);
    expect(thread.slice(1).map((e) => [e.message.headline, e.thread])).toEqual([
      ['Looking into it…', root],
      ['You asked: status', root],
      ['Still the same thread', root],
    ]);
    expect(thread[0]?.replies?.count).toBe(3);
  });
});
