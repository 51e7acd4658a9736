import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuditLog } from '../../src/audit/audit-log.ts';
import { SuspendSwitch, suspendedLine } from '../../src/policy/suspend.ts';
import { dropPrefix, testPrefix, testRedisUrl } from '../support/redis.ts';

const prefix = testPrefix();
let redis: Redis;
let switch_: SuspendSwitch;

beforeAll(() => {
  redis = new Redis(testRedisUrl());
  switch_ = new SuspendSwitch(redis, prefix);
});

afterAll(async () => {
  redis.disconnect();
  await dropPrefix(testRedisUrl(), prefix);
});

describe('SuspendSwitch', () => {
  it('is off until turned on, then says since when, by whom and why', async () => {
    const before = await switch_.state();

    const first = await switch_.suspend(
      'cli:alice',
      'database migration',
      new Date('2026-12-06T19:30:00Z'),
    );
    const second = await switch_.suspend('web:bob', 'another reason');

    expect(before).toBeUndefined();
    expect(first.changed).toBe(true);
    expect(second).toEqual({ changed: false, suspension: first.suspension });
    const state = await switch_.state();
    expect(state).toEqual({
      since: '2026-12-06T19:30:00.000Z',
      by: 'cli:alice',
      reason: 'database migration',
    });
    expect(suspendedLine(state ?? first.suspension)).toBe(
      'Writes suspended since 2026-12-06 19:30 UTC by cli:alice: database migration',
    );
  });

  it('resumes once, and audits each change of the switch exactly once', async () => {
    const resumed = await switch_.resume('web:bob');
    const again = await switch_.resume('web:bob');

    expect(resumed.changed).toBe(true);
    expect(resumed.ended?.by).toBe('cli:alice');
    expect(again).toEqual({ changed: false, ended: undefined });
    expect(await switch_.state()).toBeUndefined();
    const entries = (await new AuditLog(redis, prefix).latest(10)).reverse();
    expect(entries.map((e) => [e.event, e.person, e.outcome])).toEqual([
      ['suspended', 'cli:alice', 'database migration'],
      [
        'resumed',
        'web:bob',
        'ended the suspension since 2026-12-06 19:30 UTC by cli:alice: database migration',
      ],
    ]);
  });

  it('treats a value it cannot read as suspended', async () => {
    await redis.set(`${prefix}:suspended`, '{"by":');

    const state = await switch_.state();

    expect(state?.reason).toBe('unreadable suspend state');
    await redis.del(`${prefix}:suspended`);
  });
});
