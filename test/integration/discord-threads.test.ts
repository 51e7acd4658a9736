import { REST } from 'discord.js';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChatAdapter, Delivery } from '../../src/chat/adapter.ts';
import { discordAdapter } from '../../src/chat/discord/discord-adapter.ts';
import { ChatMessage } from '../../src/chat/message.ts';
import { MessageRefs } from '../../src/chat/message-refs.ts';
import { createLogger } from '../../src/observability/logger.ts';
import { FakeDiscord, type ShownMessage } from '../support/discord-api.ts';
import { dropPrefix, testPrefix, testRedisUrl } from '../support/redis.ts';

/**
 * The Discord adapter against a local Discord whose threads change under it, with real Redis:
 * an archived thread is reopened to edit in it, what a locked thread refuses goes to the
 * channel once, and a post whose answer was lost is not made twice. The bot here has no Manage
 * Threads, as README's invite gives it.
 */
const prefix = testPrefix();
const logs: { msg: string; level: number }[] = [];
let discord: FakeDiscord;
let redis: Redis;
let adapter: ChatAdapter;
let channel: string;

beforeAll(async () => {
  discord = await FakeDiscord.start({ botManagesThreads: false });
  channel = discord.channels.alerts;
  redis = new Redis(testRedisUrl());
  const rest = new REST({ api: discord.apiUrl, rejectOnRateLimit: () => true });
  const log = createLogger('info', { write: (line: string) => void logs.push(JSON.parse(line)) });
  adapter = discordAdapter(rest.setToken(discord.token), new MessageRefs(redis, prefix), log);
});

afterAll(async () => {
  redis.disconnect();
  await dropPrefix(testRedisUrl(), prefix);
  await discord.close();
});

let deliveries = 0;
/** A delivery as the outbox makes one: the group's message, or one in its thread. */
function delivery(text: string, fields: Partial<Delivery> = {}): Delivery {
  deliveries += 1;
  const message = ChatMessage.parse({ headline: text });
  return { channelId: channel, message, deliveryId: `d${deliveries}`, ...fields };
}

/** What each message (or earlier version) shows: its headline, the embed's title. */
const titleOf = (version: { embeds: unknown[] }) =>
  (version.embeds[0] as { title?: string } | undefined)?.title;
const texts = (messages: ShownMessage[]) => messages.map(titleOf);

describe('Discord threads that change under the bot', () => {
  it('reopens an archived thread to edit in it; sending there reopens it by itself', async () => {
    await adapter.deliver(delivery('Firing: A', { replaceKey: 'alert.a', version: 1 }));
    const status = (text: string, version: number) =>
      delivery(text, { threadKey: 'alert.a', replaceKey: 'status.a', version });
    await adapter.deliver(status('Investigating', 1));
    const root = discord.messages(channel).at(-1)?.id ?? '';

    discord.archiveThread(root);
    await adapter.deliver(status('Answered', 2));
    discord.archiveThread(root);
    await adapter.deliver(delivery('The report', { threadKey: 'alert.a' }));

    expect(texts(discord.messages(root))).toEqual(['Answered', 'The report']);
    expect(discord.messages(root)[0]?.edits.map(titleOf)).toEqual(['Investigating']);
    expect(discord.threads.find((t) => t.id === root)?.archived).toBe(false);
    expect(logs.map((l) => l.msg)).toContain('thread was archived: reopened to edit in it');
  });

  it('posts what a locked thread refuses in the channel, once, and edits it there after', async () => {
    await adapter.deliver(delivery('Firing: B', { replaceKey: 'alert.b', version: 1 }));
    const status = (text: string, version: number) =>
      delivery(text, { threadKey: 'alert.b', replaceKey: 'status.b', version });
    await adapter.deliver(status('Investigating', 1));
    const root = discord.messages(channel).at(-1)?.id ?? '';

    discord.archiveThread(root, { locked: true });
    const report = delivery('The report for B', { threadKey: 'alert.b' });
    await adapter.deliver(report);
    await adapter.deliver(report);
    await adapter.deliver(status('Answered', 2));
    await adapter.deliver(status('Resolved', 3));

    expect(texts(discord.messages(root))).toEqual(['Investigating']);
    expect(texts(discord.messages(channel)).slice(-3)).toEqual([
      'Firing: B',
      'The report for B',
      'Resolved',
    ]);
    expect(discord.messages(channel).at(-1)?.edits.map(titleOf)).toEqual(['Answered']);
    expect(logs.filter((l) => l.msg === 'thread unavailable: message goes elsewhere')).toHaveLength(
      1,
    );
  });

  it('posts a deleted message anew once when two versions find it gone at once; the newer shows', async () => {
    await adapter.deliver(delivery('Firing: D', { replaceKey: 'alert.d', version: 1 }));
    const gone = discord.messages(channel).at(-1)?.id ?? '';

    discord.deleteMessage(channel, gone);
    await Promise.all([
      adapter.deliver(delivery('Firing: D (2 alerts)', { replaceKey: 'alert.d', version: 2 })),
      adapter.deliver(delivery('Firing: D (3 alerts)', { replaceKey: 'alert.d', version: 3 })),
    ]);
    await adapter.deliver(delivery('Resolved: D', { replaceKey: 'alert.d', version: 4 }));

    const shown = discord.messages(channel).filter((m) => /: D/.test(titleOf(m) ?? ''));
    expect(shown.map(titleOf)).toEqual(['Resolved: D']);
    // Discord's markdown escapes the parentheses.
    expect(shown[0]?.edits.map(titleOf)).toEqual([
      String.raw`Firing: D \(2 alerts\)`,
      String.raw`Firing: D \(3 alerts\)`,
    ]);
    expect(logs.filter((l) => l.msg === 'message was deleted: posted anew')).toHaveLength(1);
  });

  it('makes one message of a post whose answer was lost and sent again', async () => {
    discord.loseAnswers(`POST /channels/${channel}/messages`, 1);

    await adapter.deliver(delivery('Firing: C', { replaceKey: 'alert.c', version: 1 }));

    const posts = discord.requests.filter(
      (r) => r.method === 'POST' && r.path === `/channels/${channel}/messages`,
    );
    expect(posts.slice(-2).map((r) => r.status)).toEqual([502, 200]);
    expect(texts(discord.messages(channel)).filter((t) => t === 'Firing: C')).toHaveLength(1);
  });
});
