import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { AlertGroups, groupId, REFIRE_AFTER_MS } from '../../src/alerts/alert-groups.ts';
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

describe('an alert group over time', () => {
  const groups = new AlertGroups(redis, prefix);
  const at = (minutes: number) => new Date(Date.parse('2026-12-06T10:00:00Z') + minutes * 60_000);

  it('fires again when an alert is sent with its old start well after its resolution (a Prometheus restart), not when a late one is', async () => {
    const groupKey = '{}:{alertname="X",case="restart"}';
    const started = '2026-12-06T10:00:00Z';
    const statusOf = (state: { alerts: Alert[] }) => state.alerts.map((a) => a.status);
    await groups.merge({ groupKey, alerts: [alert('a', 'firing', started)] }, at(0));
    const resolution = alert('a', 'resolved', started, '2026-12-06T10:08:00Z');
    await groups.merge({ groupKey, alerts: [resolution] }, at(9));

    const late = await groups.merge({ groupKey, alerts: [alert('a', 'firing', started)] }, at(10));
    const refired = await groups.merge(
      { groupKey, alerts: [alert('a', 'firing', started)] },
      new Date(at(9).getTime() + REFIRE_AFTER_MS + 60_000),
    );
    const oldResolutionAgain = await groups.merge({ groupKey, alerts: [resolution] }, at(16));
    const resolvedAgain = await groups.merge(
      { groupKey, alerts: [alert('a', 'resolved', started, '2026-12-06T10:30:00Z')] },
      at(31),
    );

    expect(statusOf(late)).toEqual(['resolved']);
    expect(statusOf(refired)).toEqual(['firing']);
    expect(refired.version).toBeGreaterThan(late.version);
    expect(statusOf(oldResolutionAgain)).toEqual(['firing']);
    expect(oldResolutionAgain.version).toBe(refired.version);
    expect(statusOf(resolvedAgain)).toEqual(['resolved']);
  });

  it('gives a group that expired and comes back versions above those it had', async () => {
    const groupKey = '{}:{alertname="X",case="expired"}';
    const before = await groups.merge({
      groupKey,
      alerts: [alert('a', 'firing', '2026-12-01T10:00:00Z')],
    });
    // The group's state is kept 7 days; what it told others (its incident, its message) longer.
    await redis.del(`${prefix}:alert-group:${groupId(groupKey)}`);

    const after = await groups.merge({
      groupKey,
      alerts: [alert('a', 'firing', '2026-12-09T10:00:00Z')],
    });

    expect(after.version).toBeGreaterThan(before.version);
  });

  it("keeps an alert whose fingerprint looks like one of the group's own fields apart from them", async () => {
    const groupKey = '{}:{alertname="X",case="revision"}';
    await groups.merge({ groupKey, alerts: [alert('a', 'firing', '2026-12-06T10:00:00Z')] });
    const odd = await groups.merge({
      groupKey,
      alerts: [alert('#revision', 'firing', '2026-12-06T10:01:00Z')],
    });

    const later = await groups.merge({
      groupKey,
      alerts: [alert('a', 'resolved', '2026-12-06T10:00:00Z', '2026-12-06T10:05:00Z')],
    });

    expect(later.version).toBeGreaterThan(odd.version);
    expect(later.alerts.map((a) => `${a.fingerprint}:${a.status}`)).toEqual([
      '#revision:firing',
      'a:resolved',
    ]);
  });

  it('keeps at most a thousand firing alerts, the earliest started, and counts those it drops as truncated', async () => {
    const own = new AlertGroups(redis, `${prefix}:many`);
    const groupKey = '{}:{alertname="X",case="many-firing"}';
    const firing = (from: number, count: number, startsAt: string) =>
      Array.from({ length: count }, (_, i) => alert(`f${from + i}`, 'firing', startsAt));
    await own.merge({ groupKey, alerts: firing(0, 600, '2026-12-06T10:00:00Z') });
    const more = { groupKey, alerts: firing(600, 600, '2026-12-06T10:05:00Z') };

    const state = await own.merge(more);
    const again = await own.merge(more);

    expect(await redis.hlen(`${prefix}:many:alert-group:${groupId(groupKey)}`)).toBe(1_001);
    expect(state.alerts).toHaveLength(1_000);
    expect(state.alerts.filter((a) => a.startsAt === '2026-12-06T10:00:00Z')).toHaveLength(600);
    expect(state.truncated).toBe(200);
    // Sent again, the alerts it could not keep change nothing, and count in no hour again.
    expect(again.version).toBe(state.version);
    expect(again.truncated).toBe(200);
    const hour = await own.perHour(1, new Date('2026-12-06T10:30:00Z'));
    expect(hour).toEqual([{ hour: '2026-12-06T10:00:00.000Z', alerts: 1_000 }]);
  });

  it('forgets the alerts-per-hour counts of hours far ahead of the clock', async () => {
    const own = new AlertGroups(redis, `${prefix}:hours`);
    const now = new Date('2026-12-06T10:30:00Z');
    await own.merge({
      groupKey: '{}:{alertname="X",case="future"}',
      alerts: [
        alert('soon', 'firing', '2026-12-07T09:00:00Z'),
        alert('far', 'firing', '3000-01-01T00:00:00Z'),
      ],
    });

    await own.perHour(48, now);

    const hours = (await redis.hkeys(`${prefix}:hours:alerts-per-hour`)).map(Number);
    expect(hours).toEqual([Date.parse('2026-12-07T09:00:00Z') / 3_600_000]);
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

  it('frees what an investigation holds once its incident resolves, and nothing another holds', async () => {
    const investigations = new Investigations(redis, prefix);
    const first = {
      runId: 'ask.alert.r1',
      channel: 'web:ops',
      threadKey: 'alert.r1',
      alertname: 'X',
    };
    const second = { ...first, runId: 'ask.alert.r2', threadKey: 'alert.r2' };
    const third = { ...first, runId: 'ask.alert.r3', threadKey: 'alert.r3' };
    expect(await investigations.claim('shop/deployment/cart', first, 900)).toBeUndefined();
    expect(await investigations.claim('shop/deployment/web', second, 900)).toBeUndefined();

    await investigations.release('alert.r1');

    // A recurrence about the first subject is investigated afresh; the second is still held.
    expect(await investigations.claim('shop/deployment/cart', third, 900)).toBeUndefined();
    expect(await investigations.claim('shop/deployment/web', third, 900)).toEqual(second);
    // Releasing a thread again frees nothing that has since been claimed by another.
    await investigations.release('alert.r1');
    expect(await investigations.claim('shop/deployment/cart', second, 900)).toEqual(third);
  });
});
