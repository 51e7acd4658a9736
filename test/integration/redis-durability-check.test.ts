import { Writable } from 'node:stream';
import { Redis } from 'ioredis';
import { afterEach, expect, it } from 'vitest';
import { createLogger } from '../../src/observability/logger.ts';
import { checkDurability } from '../../src/queue/check-durability.ts';
import { type RedisNode, startRedisNode } from '../support/redis-sentinel.ts';

/** The start-up check of the settings under which Redis keeps every job, on real servers. */
let node: RedisNode | undefined;
let redis: Redis | undefined;

afterEach(async () => {
  redis?.disconnect();
  await node?.stop();
  redis = undefined;
  node = undefined;
});

async function checkServer(args: string[]) {
  node = await startRedisNode({ args });
  redis = new Redis(node.port, '127.0.0.1');
  const lines: { level: number; msg: string; set?: string; found?: unknown }[] = [];
  const sink = new Writable({
    write(chunk, _encoding, done) {
      lines.push(JSON.parse(String(chunk)));
      done();
    },
  });
  await checkDurability(redis, createLogger('debug', sink));
  return lines;
}

it('says nothing about a server set up as shipped (deploy/redis/redis.conf)', async () => {
  const lines = await checkServer([]);

  expect(lines).toEqual([]);
});

it('warns once, naming what to set, when the server may evict or does not keep an AOF', async () => {
  const lines = await checkServer(['--appendonly', 'no', '--maxmemory-policy', 'allkeys-lru']);

  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatchObject({
    level: 40,
    set: 'maxmemory-policy noeviction, appendonly yes',
    found: { 'maxmemory-policy': 'allkeys-lru', appendonly: 'no' },
  });
});

it('notes at debug level only when the server refuses CONFIG, as managed Redis does', async () => {
  const lines = await checkServer(['--rename-command', 'CONFIG', '']);

  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatchObject({
    level: 20,
    msg: 'redis settings not checked (CONFIG GET refused)',
  });
});
