import { Redis } from 'ioredis';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createLogger } from '../../src/observability/logger.ts';
import { readInbox } from '../../src/queue/stream-inbox.ts';
import { type EmbeddedRedis, startEmbeddedRedis } from '../../src/runtime/embedded-redis.ts';
import { eventually } from '../support/sandbox.ts';

/**
 * An inbox read while Redis is full (production runs `noeviction`): reads and removals go on,
 * every write the work needs is refused. A private Redis, since it is made to refuse writes.
 */
let server: EmbeddedRedis;

beforeAll(async () => {
  server = await startEmbeddedRedis();
});

afterAll(async () => {
  await server?.stop();
});

it('keeps an entry whose work a full Redis refuses, for longer than ten tries, and does it once Redis has room', async () => {
  const admin = new Redis(server.url);
  const redis = new Redis(server.url, { maxRetriesPerRequest: null });
  const reader = new Redis(server.url, { maxRetriesPerRequest: null });
  await admin.xgroup('CREATE', 'inbox', 'readers', '0', 'MKSTREAM');
  await admin.xadd('inbox', '*', 'n', '1');
  await admin.config('SET', 'maxmemory', '1');
  let refused = 0;
  const inbox = readInbox({
    key: 'inbox',
    group: 'readers',
    reader,
    redis,
    what: 'test entries',
    log: createLogger('silent'),
    handle: async (fields) => {
      try {
        await redis.set('done', fields.n ?? '');
      } catch (error) {
        refused += 1;
        throw error;
      }
      return undefined;
    },
  });
  try {
    // Not dropped after ten refusals: the entry is not at fault, Redis is.
    await eventually(async () => (refused > 10 ? true : undefined), 30_000, 'an eleventh try');
    await admin.config('SET', 'maxmemory', '0');

    expect(await eventually(async () => (await admin.get('done')) ?? undefined)).toBe('1');
    await eventually(async () => ((await admin.xlen('inbox')) === 0 ? true : undefined));
  } finally {
    await inbox.stop();
    redis.disconnect();
    admin.disconnect();
  }
}, 60_000);
