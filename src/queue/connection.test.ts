import { describe, expect, it } from 'vitest';
import { redisOptions } from './connection.ts';

const SENTINEL = {
  sentinels: [
    { host: 'sentinel-0', port: 26379 },
    { host: 'sentinel-1', port: 26379 },
  ],
  name: 'coxswain',
  password: 'sentinel-secret',
};

describe('redisOptions', () => {
  it('reaches the primary through the Sentinels', () => {
    const { url, options } = redisOptions(
      { url: undefined, sentinel: SENTINEL, password: 'data-secret' },
      'worker',
    );

    expect(url).toBeUndefined();
    expect(options).toMatchObject({
      sentinels: SENTINEL.sentinels,
      name: 'coxswain',
      sentinelPassword: 'sentinel-secret',
      password: 'data-secret',
      maxRetriesPerRequest: null,
    });
    expect(options.sentinelRetryStrategy?.(100)).toBe(2_000);
    expect(options).not.toHaveProperty('failoverDetector');
  });

  it('keeps the fail-fast producer fail-fast through Sentinels too', () => {
    const { options } = redisOptions(
      { url: undefined, sentinel: { ...SENTINEL, password: undefined }, password: undefined },
      'producer',
    );

    expect(options).toMatchObject({ enableOfflineQueue: false, maxRetriesPerRequest: 1 });
    expect(options).not.toHaveProperty('sentinelPassword');
    expect(options).not.toHaveProperty('password');
  });

  it('reconnects and resends on READONLY, which a demoted primary answers, and on nothing else', () => {
    const { options } = redisOptions(
      { url: 'redis://redis:6379', sentinel: undefined, password: undefined },
      'producer',
    );
    const reconnect = options.reconnectOnError;

    expect(reconnect?.(new Error("READONLY You can't write against a read only replica."))).toBe(2);
    expect(reconnect?.(new Error('ERR unknown command'))).toBe(false);
  });

  it("lets REDIS_PASSWORD win over the URL's password", () => {
    const { url, options } = redisOptions(
      { url: 'redis://app:url-secret@redis:6379/2', sentinel: undefined, password: 'data-secret' },
      'worker',
    );

    expect(url).toBe('redis://app@redis:6379/2');
    expect(options.password).toBe('data-secret');
  });

  it("keeps the URL's password when none is given apart", () => {
    const { url, options } = redisOptions(
      { url: 'redis://:url-secret@redis:6379', sentinel: undefined, password: undefined },
      'worker',
    );

    expect(url).toBe('redis://:url-secret@redis:6379');
    expect(options).not.toHaveProperty('password');
  });
});
