import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { ChatAdapter } from '../../src/chat/adapter.ts';
import type { ChatMessage, ChatMessageInput } from '../../src/chat/message.ts';
import { createOutboxWorker } from '../../src/chat/outbox-worker.ts';
import { createLogger } from '../../src/observability/logger.ts';
import { createMetrics } from '../../src/observability/metrics.ts';
import { dropPrefix, testPrefix, testRedisUrl } from '../support/redis.ts';
import { eventually } from '../support/sandbox.ts';

/**
 * Whatever a producer put in a message, the outbox redacts it before a platform sees it. The
 * adapter stands in for a chat platform's API (the edge) and records what it was given.
 */
const prefix = testPrefix();
let redis: Redis;
let outbox: Queue;
const delivered: ChatMessage[] = [];

const platform: ChatAdapter = {
  platform: 'slack',
  async deliver({ message }) {
    delivered.push(message);
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

it('delivers every message redacted, with its proposal ids and commands exact', async () => {
  const worker = createOutboxWorker({
    connection: redis,
    prefix,
    adapters: [platform],
    log: createLogger('silent'),
    metrics: createMetrics(),
    concurrency: 1,
  });
  const card: ChatMessageInput = {
    headline: 'Approve? Set LOG_LEVEL on payments-config',
    sections: [
      {
        title: 'Dry-run diff (API server)',
        code: '  DB_PASSWORD: Winter2026!\n  API_TOKEN: "tok-0011223344"\n- LOG_LEVEL: info\n+ LOG_LEVEL: debug',
      },
    ],
    buttons: [
      { action: 'approve', label: 'Approve', value: 'pA1b2C3d4E5f6G7h8', style: 'primary' },
      { action: 'reject', label: 'Reject', value: 'pA1b2C3d4E5f6G7h8', style: 'danger' },
      { action: 'command', label: 'Diagnose', value: 'diagnose -n payments' },
    ],
  };
  try {
    await outbox.add('m', { channel: 'slack:C0CARDS', message: card });

    await eventually(
      async () => (delivered.length === 1 ? true : undefined),
      20_000,
      'one delivery',
    );

    const [message] = delivered;
    const text = JSON.stringify(message);
    expect(text).not.toContain('Winter2026!');
    expect(text).not.toContain('tok-0011223344');
    expect(message?.sections[0]?.code).toContain('+ LOG_LEVEL: debug');
    expect(message?.buttons.map((b) => b.value)).toEqual([
      'pA1b2C3d4E5f6G7h8',
      'pA1b2C3d4E5f6G7h8',
      'diagnose -n payments',
    ]);
  } finally {
    await worker.close();
  }
});
