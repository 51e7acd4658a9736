import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EventClaims, MessageRefs } from '../../src/chat/message-refs.ts';
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

describe('EventClaims', () => {
  it('is claimed once, pending while handled, done after; a released claim can be taken again', async () => {
    const claims = new EventClaims(redis, prefix);

    const first = await claims.claim('slack', 'Ev1');
    const whileHandled = await claims.claim('slack', 'Ev1');
    await claims.done('slack', 'Ev1');
    const afterwards = await claims.claim('slack', 'Ev1');
    await claims.claim('slack', 'Ev2');
    await claims.release('slack', 'Ev2');
    const retried = await claims.claim('slack', 'Ev2');

    expect([first, whileHandled, afterwards, retried]).toEqual([
      'claimed',
      'pending',
      'done',
      'claimed',
    ]);
  });

  it('still claims once after the server has forgotten its scripts', async () => {
    const claims = new EventClaims(redis, prefix);
    await claims.claim('slack', 'Ev3');

    await redis.script('FLUSH');
    const first = await claims.claim('slack', 'Ev4');
    const again = await claims.claim('slack', 'Ev4');

    expect([first, again]).toEqual(['claimed', 'pending']);
  });
});

describe('MessageRefs', () => {
  it('keeps the message a key names with the version it shows, and the delivery that posted it', async () => {
    const refs = new MessageRefs(redis, prefix);
    const delivery = { deliveryId: 'status.run-1.a', place: 'C1', version: 1700 };

    await refs.recordDelivery('discord', { ...delivery, replaceKey: 'status.run-1' }, '123');
    await refs.recordDelivery('discord', { ...delivery, deliveryId: 'answer.run-1' }, '124');

    expect(await refs.keyed('discord', 'C1', 'status.run-1')).toEqual({ id: '123', version: 1700 });
    expect(await refs.keyed('discord', 'C1', 'status.run-2')).toBeUndefined();
    expect(await refs.delivered('discord', 'status.run-1.a')).toBe('123');
    expect(await refs.delivered('discord', 'answer.run-1')).toBe('124');
  });
});
