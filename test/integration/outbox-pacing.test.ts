import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type ChatAdapter, RetryAfterError } from '../../src/chat/adapter.ts';
import { createOutboxWorker } from '../../src/chat/outbox-worker.ts';
import { ChannelPacer } from '../../src/chat/pacing.ts';
import { createLogger } from '../../src/observability/logger.ts';
import { createMetrics } from '../../src/observability/metrics.ts';
import { dropPrefix, testPrefix, testRedisUrl } from '../support/redis.ts';
import { eventually } from '../support/sandbox.ts';

/**
 * The outbox spaces messages per channel and honours a platform's Retry-After. The adapter here
 * stands in for a chat platform's API (the edge), recording when each message arrived.
 */
const prefix = testPrefix();
let redis: Redis;
let outbox: Queue;
const arrivals: { channel: string; text: string; at: number }[] = [];
let limited = false;

const platform: ChatAdapter = {
  platform: 'slack',
  async deliver({ channelId: channel, message }) {
    if (!limited && message.text === 'first') {
      limited = true;
      throw new RetryAfterError(400);
    }
    arrivals.push({ channel, text: message.text ?? '', at: Date.now() });
  },
};

beforeAll(() => {
  redis = new Redis(testRedisUrl(), { maxRetriesPerRequest: null });
  outbox = new Queue('outbox', { connection: { url: testRedisUrl() }, prefix });
});

afterAll(async () => {
  await outbox.close();
  redis.disconnect();
  await dropPrefix(testRedisUrl(), prefix);
});

it('spaces one channel by the interval, leaves others alone, and waits out Retry-After without spending an attempt', async () => {
  const worker = createOutboxWorker({
    connection: redis,
    prefix,
    adapters: [platform],
    log: createLogger('silent'),
    metrics: createMetrics(),
    concurrency: 4,
    pacer: new ChannelPacer(redis, prefix, { slack: 1_000 }),
  });
  try {
    const started = Date.now();
    const job = await outbox.add(
      'm',
      { channel: 'slack:C0BUSY', message: { text: 'first' } },
      { attempts: 1 },
    );
    await outbox.add('m', { channel: 'slack:C0BUSY', message: { text: 'second' } });
    await outbox.add('m', { channel: 'slack:C0BUSY', message: { text: 'third' } });
    await outbox.add('m', { channel: 'slack:C0QUIET', message: { text: 'elsewhere' } });

    await eventually(
      async () => (arrivals.length === 4 ? true : undefined),
      20_000,
      'four deliveries',
    );

    const busy = arrivals.filter((a) => a.channel === 'C0BUSY');
    const gaps = busy.slice(1).map((a, i) => a.at - (busy[i]?.at ?? 0));
    expect(busy.map((a) => a.text).sort()).toEqual(['first', 'second', 'third']);
    expect(Math.min(...gaps)).toBeGreaterThanOrEqual(900);
    expect(arrivals.find((a) => a.text === 'elsewhere')?.at).toBeLessThan(busy[2]?.at ?? 0);
    expect(busy.find((a) => a.text === 'first')?.at ?? 0).toBeGreaterThanOrEqual(started + 400);
    const first = await outbox.getJob(job.id ?? '');
    expect(first?.finishedOn).toBeDefined();
    expect(first?.failedReason).toBeFalsy();
  } finally {
    await worker.close();
  }
});
