import { describe, expect, it } from 'vitest';
import { CoxswainError } from '../errors.ts';
import { loadConfig } from './load.ts';

const SENTINELS = {
  REDIS_SENTINELS: 'sentinel-0:26379, sentinel-1.redis:26380,[::1]:26381',
  REDIS_SENTINEL_NAME: 'coxswain',
};

function failure(source: Record<string, string>): string {
  try {
    loadConfig(source);
  } catch (error) {
    expect(error).toBeInstanceOf(CoxswainError);
    return (error as Error).message;
  }
  throw new Error('expected the configuration to be refused');
}

describe('Redis settings', () => {
  it('connects through Sentinels without REDIS_URL, with the passwords given apart', () => {
    const config = loadConfig({
      ...SENTINELS,
      REDIS_PASSWORD: 'data-secret',
      REDIS_SENTINEL_PASSWORD: 'sentinel-secret',
    });

    expect(config.redis).toEqual({
      url: undefined,
      sentinel: {
        sentinels: [
          { host: 'sentinel-0', port: 26379 },
          { host: 'sentinel-1.redis', port: 26380 },
          { host: '::1', port: 26381 },
        ],
        name: 'coxswain',
        password: 'sentinel-secret',
      },
      password: 'data-secret',
      prefix: 'coxswain',
      wait: undefined,
    });
  });

  it('takes a URL alone, with no Sentinel and no WAIT', () => {
    const config = loadConfig({ REDIS_URL: 'redis://redis:6379' });

    expect(config.redis).toMatchObject({
      url: 'redis://redis:6379',
      sentinel: undefined,
      password: undefined,
      wait: undefined,
    });
  });

  it('requires REDIS_URL or the Sentinels, and the Sentinels with their name, both or neither', () => {
    expect(failure({})).toContain(
      'REDIS_URL: is required (or set REDIS_SENTINELS and REDIS_SENTINEL_NAME)',
    );
    expect(failure({ REDIS_SENTINELS: 'sentinel-0:26379' })).toContain(
      'REDIS_SENTINEL_NAME: is required when the other of REDIS_SENTINELS/REDIS_SENTINEL_NAME is set',
    );
    expect(failure({ REDIS_SENTINEL_NAME: 'coxswain' })).toContain(
      'REDIS_SENTINELS: is required when the other of REDIS_SENTINELS/REDIS_SENTINEL_NAME is set',
    );
  });

  it('refuses a URL beside the Sentinels, and a Sentinel password without Sentinels', () => {
    expect(failure({ REDIS_URL: 'redis://redis:6379', ...SENTINELS })).toContain(
      'REDIS_SENTINELS: is set with REDIS_URL; set one or the other',
    );
    expect(
      failure({ REDIS_URL: 'redis://redis:6379', REDIS_SENTINEL_PASSWORD: 'sentinel-secret' }),
    ).toContain('REDIS_SENTINEL_PASSWORD: is set but REDIS_SENTINELS is not');
  });

  it('refuses Sentinels that are not host:port pairs, and a bad name, without quoting them', () => {
    for (const sentinels of ['sentinel-0', 'sentinel-0:0', 'sentinel-0:99999', 'a b:1', 'x:1,']) {
      const message = failure({ REDIS_SENTINELS: sentinels, REDIS_SENTINEL_NAME: 'coxswain' });

      expect(message).toContain('REDIS_SENTINELS: must be host:port pairs separated by commas');
    }
    const named = failure({
      REDIS_SENTINELS: 'sentinel-0:26379',
      REDIS_SENTINEL_NAME: 'my master',
    });

    expect(named).toContain('REDIS_SENTINEL_NAME: must be the name the Sentinels monitor');
    expect(named).not.toContain('my master');
  });

  it('waits for replicas only when told, 1000 ms by default', () => {
    const waiting = loadConfig({ ...SENTINELS, REDIS_WAIT_REPLICAS: '1' });
    const longer = loadConfig({
      ...SENTINELS,
      REDIS_WAIT_REPLICAS: '2',
      REDIS_WAIT_TIMEOUT_MS: '2500',
    });

    expect(waiting.redis.wait).toEqual({ replicas: 1, timeoutMs: 1_000 });
    expect(longer.redis.wait).toEqual({ replicas: 2, timeoutMs: 2_500 });
  });

  it('refuses a replica count or timeout out of range, and a timeout without a count', () => {
    expect(failure({ ...SENTINELS, REDIS_WAIT_REPLICAS: '0' })).toContain(
      'REDIS_WAIT_REPLICAS: must be between 1 and 10',
    );
    expect(failure({ ...SENTINELS, REDIS_WAIT_REPLICAS: 'two' })).toContain(
      'REDIS_WAIT_REPLICAS: must be a number of replicas',
    );
    expect(
      failure({ ...SENTINELS, REDIS_WAIT_REPLICAS: '1', REDIS_WAIT_TIMEOUT_MS: '0' }),
    ).toContain('REDIS_WAIT_TIMEOUT_MS: must be between 1 and 4000');
    expect(failure({ ...SENTINELS, REDIS_WAIT_TIMEOUT_MS: '500' })).toContain(
      'REDIS_WAIT_TIMEOUT_MS: is set but REDIS_WAIT_REPLICAS is not',
    );
  });

  it('treats the empty values of an .env file as unset', () => {
    const config = loadConfig({
      REDIS_URL: 'redis://redis:6379',
      REDIS_SENTINELS: '',
      REDIS_SENTINEL_NAME: '',
      REDIS_PASSWORD: '',
      REDIS_WAIT_REPLICAS: '',
    });

    expect(config.redis.sentinel).toBeUndefined();
    expect(config.redis.password).toBeUndefined();
    expect(config.redis.wait).toBeUndefined();
  });
});
