import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { AlertGroups } from '../../src/alerts/alert-groups.ts';
import { Investigations } from '../../src/alerts/investigations.ts';
import type { Alert } from '../../src/alerts/schema.ts';
import { dropPrefix, testPrefix, testRedisUrl } from '../support/redis.ts';

/** The group and investigation records in real Redis. */
const prefix = testPrefix();
const redis = new Redis(testRedisUrl());

afterAll(async () => {
  redis.disconnect();
  await dropPrefix(testRedisUrl(), prefix);
});

const alert = (
  fingerprint: string,
  status: 'firing' | 'resolved',
  startsAt: string,
  endsAt?: string,
): Alert => ({
  status,
  labels: { alertname: 'X', instance: fingerprint },
  annotations: {},
  startsAt,
  ...(endsAt === undefined ? {} : { endsAt }),
  generatorURL: '',
  fingerprint,
});

describe('an alert group kept in Redis', () => {
  it('gives each state that changes the group a higher version, and a late notification none', async () => {
    const groups = new AlertGroups(redis, prefix);
    const groupKey = '{}:{alertname="X"}';

    const first = await groups.merge({
      groupKey,
      alerts: [
        alert('a', 'firing', '2026-12-06T10:05:00Z'),
        alert('b', 'firing', '2026-12-06T10:00:00Z'),
      ],
    });
    const resolved = await groups.merge({
      groupKey,
      alerts: [alert('b', 'resolved', '2026-12-06T10:00:00Z', '2026-12-06T10:03:00Z')],
    });
    const late = await groups.merge({
      groupKey,
      alerts: [alert('b', 'firing', '2026-12-06T10:00:00Z')],
    });

    expect(resolved.version).toBeGreaterThan(first.version);
    expect(late.version).toBe(resolved.version);
    expect(late.alerts.map((a) => `${a.fingerprint}:${a.status}`)).toEqual([
      'a:firing',
      'b:resolved',
    ]);
  });
});

describe('investigations by subject', () => {
  it('starts a run once, and lets a repeat of it claim nothing after its window', async () => {
    const investigations = new Investigations(redis, prefix);
    const holder = {
      runId: 'ask.alert.one',
      channel: 'web:ops',
      threadKey: 'alert.g1',
      alertname: 'X',
    };

    expect(await investigations.firstTime('ask.alert.one')).toBe(true);
    expect(await investigations.claim('payments/deployment/api', holder, 1)).toBeUndefined();
    expect(await investigations.firstTime('ask.alert.one')).toBe(false);
    const other = { ...holder, runId: 'ask.alert.two', threadKey: 'alert.g2' };
    expect(await investigations.claim('payments/deployment/api', other, 1)).toEqual(holder);
  });
});
