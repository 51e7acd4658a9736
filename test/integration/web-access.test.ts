import type { IncomingMessage } from 'node:http';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { WebAccess } from '../../src/dashboard/web-access.ts';
import { dropPrefix, testPrefix, testRedisUrl } from '../support/redis.ts';

const prefix = testPrefix();
let redis: Redis;

beforeAll(() => {
  redis = new Redis(testRedisUrl());
});

afterAll(async () => {
  redis.disconnect();
  await dropPrefix(testRedisUrl(), prefix);
});

const request = (cookie: string) =>
  ({ headers: { cookie }, socket: { remoteAddress: '127.0.0.1' } }) as unknown as IncomingMessage;

it('ends a session when its token is changed or its person removed', async () => {
  const before = new WebAccess(redis, prefix, {
    users: [{ name: 'lee', token: 'lee-token-0123456789' }],
    trustLocal: false,
    secure: false,
  });
  const login = await before.login('lee', 'lee-token-0123456789', '127.0.0.1');
  const cookie = login.ok ? (login.cookie.split(';')[0] ?? '') : '';
  const rotated = new WebAccess(redis, prefix, {
    users: [{ name: 'lee', token: 'lee-token-rotated-0000' }],
    trustLocal: false,
    secure: false,
  });
  const removed = new WebAccess(redis, prefix, {
    users: [{ name: 'sam', token: 'sam-token-0123456789' }],
    trustLocal: false,
    secure: false,
  });

  expect(await before.of(request(cookie))).toEqual({ ok: true, person: 'web:lee', signedIn: true });
  expect((await rotated.of(request(cookie))).ok).toBe(false);
  expect((await removed.of(request(cookie))).ok).toBe(false);
  expect(await before.login('lee', 'not-the-token-at-all', '127.0.0.1')).toEqual({
    ok: false,
    retryAfter: undefined,
  });
});
