import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { AlertGroups } from '../../src/alerts/alert-groups.ts';
import { Incidents } from '../../src/alerts/incidents.ts';
import type { Alert } from '../../src/alerts/schema.ts';
import { dropPrefix, testPrefix, testRedisUrl } from '../support/redis.ts';

/** Incidents, their figures and the alerts-per-hour counts, in real Redis. */
const prefix = testPrefix();
const redis = new Redis(testRedisUrl());
const groups = new AlertGroups(redis, prefix);
const incidents = new Incidents(redis, prefix);

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
  labels: { alertname: 'DiskFull', namespace: 'data', instance: fingerprint },
  annotations: {},
  startsAt,
  ...(endsAt === undefined ? {} : { endsAt }),
  generatorURL: '',
  fingerprint,
});

const labels = { alertname: 'DiskFull', namespace: 'data' };

/** Merges a notification and observes what it means, as the worker does. */
async function notify(groupKey: string, alerts: Alert[]) {
  const group = await groups.merge({ groupKey, alerts });
  const observed = await incidents.observe(
    { groupKey, commonLabels: labels, groupLabels: {} },
    group,
    ['web:alerts'],
  );
  return { group, observed };
}

describe('incidents kept in Redis', () => {
  it('opens an incident once, closes it once, and ignores a firing that arrives after its resolution', async () => {
    const key = '{}:{alertname="DiskFull",case="1"}';
    const opened = await notify(key, [alert('a', 'firing', '2026-12-06T10:00:00Z')]);
    expect(opened.observed.kind).toBe('opened');
    const again = await notify(key, [
      alert('a', 'firing', '2026-12-06T10:00:00Z'),
      alert('b', 'firing', '2026-12-06T10:03:00Z'),
    ]);
    expect(again.observed.kind).toBe('ongoing');

    const closed = await notify(key, [
      alert('a', 'resolved', '2026-12-06T10:00:00Z', '2026-12-06T10:20:00Z'),
      alert('b', 'resolved', '2026-12-06T10:03:00Z', '2026-12-06T10:25:00Z'),
    ]);
    expect(closed.observed).toMatchObject({
      kind: 'closed',
      incident: {
        alertname: 'DiskFull',
        namespace: 'data',
        firedAt: '2026-12-06T10:00:00.000Z',
        resolvedAt: '2026-12-06T10:25:00.000Z',
        channels: ['web:alerts'],
      },
    });
    // A retried job (the same version) is told the same, so its report is posted after a crash.
    const retried = await incidents.observe(
      { groupKey: key, commonLabels: labels, groupLabels: {} },
      closed.group,
      ['web:alerts'],
    );
    expect(retried.kind).toBe('closed');
    // A "firing" sent before the resolution but delivered after it changes nothing.
    const late = await notify(key, [alert('a', 'firing', '2026-12-06T10:00:00Z')]);
    expect(late.observed.kind).not.toBe('opened');
    expect(late.group.alerts.every((a) => a.status === 'resolved')).toBe(true);

    // The same group firing again later is a new incident.
    const next = await notify(key, [alert('a', 'firing', '2026-12-06T12:00:00Z')]);
    expect(next.observed.kind).toBe('opened');
    if (closed.observed.kind !== 'closed' || next.observed.kind !== 'opened') return;
    expect(next.observed.incident.id).not.toBe(closed.observed.incident.id);
  });

  it('keeps a group open while Alertmanager says it fires, though the alerts it cut off are not sent', async () => {
    const key = '{}:{alertname="DiskFull",case="5"}';
    await notify(key, [alert('a', 'firing', '2026-12-06T10:00:00Z')]);
    // 1 of 2 alerts sent, and it resolved: the group still fires, as the truncated one does.
    const group = await groups.merge({
      groupKey: key,
      alerts: [alert('a', 'resolved', '2026-12-06T10:00:00Z', '2026-12-06T10:09:00Z')],
    });
    const cut = await incidents.observe(
      { groupKey: key, commonLabels: labels, groupLabels: {} },
      group,
      ['web:alerts'],
      true,
    );
    expect(cut.kind).toBe('ongoing');
  });

  it('opens nothing for a group first seen resolved', async () => {
    const key = '{}:{alertname="DiskFull",case="2"}';
    const only = await notify(key, [
      alert('a', 'resolved', '2026-12-06T10:00:00Z', '2026-12-06T10:05:00Z'),
    ]);
    expect(only.observed.kind).toBe('none');
  });

  it('keeps the first diagnosis, gives each incident the proposals of its own time, and counts it once', async () => {
    const key = '{}:{alertname="DiskFull",case="3"}';
    const opened = await notify(key, [alert('a', 'firing', '2026-12-06T10:00:00Z')]);
    if (opened.observed.kind !== 'opened') throw new Error('not opened');
    const { threadKey } = opened.observed.incident;
    const diagnosis = (cause: string) => ({
      at: '2026-12-06T10:02:00.000Z',
      cause,
      evidence: 'df says 100%',
      by: 'analyzers, no model',
      runId: 'r1',
    });
    await incidents.diagnosed(threadKey, diagnosis('The data volume is full'));
    await incidents.diagnosed(threadKey, diagnosis('A later, other answer'));
    const closed = await notify(key, [
      alert('a', 'resolved', '2026-12-06T10:00:00Z', '2026-12-06T10:10:00Z'),
    ]);
    if (closed.observed.kind !== 'closed') throw new Error('not closed');
    const incident = closed.observed.incident;
    expect(incident.diagnosis?.cause).toBe('The data volume is full');

    expect(await incidents.proposalRange(incident, 2)).toEqual([0, 2]);
    expect(await incidents.proposalRange(incident, 5)).toEqual([0, 2]);
    const second = await notify(key, [alert('a', 'firing', '2026-12-06T11:00:00Z')]);
    if (second.observed.kind !== 'opened') throw new Error('not reopened');
    expect(await incidents.proposalRange(second.observed.incident, 3)).toEqual([2, 3]);

    const figures = { resolveSeconds: 600, diagnoseSeconds: 120, mitigateSeconds: 300 };
    expect(await incidents.count(incident, { ...figures, automated: true })).toBe(true);
    expect(await incidents.count(incident, { ...figures, automated: true })).toBe(false);
    const stats = (await incidents.stats()).find((s) => s.alertname === 'DiskFull');
    expect(stats).toMatchObject({
      namespace: 'data',
      resolved: 1,
      resolveSeconds: 600,
      diagnosed: 1,
      diagnoseSeconds: 120,
      mitigated: 1,
      automated: 1,
    });
    const listed = await incidents.recent(10);
    expect(listed.map((l) => l.incident.id)).toContain(incident.id);
  });

  it('counts each alert once in the hour it started firing, and again only if it fires anew', async () => {
    const key = '{}:{alertname="DiskFull",case="4"}';
    const hour = '2026-12-07T01:00:00Z';
    await notify(key, [alert('x', 'firing', hour), alert('y', 'firing', hour)]);
    await notify(key, [alert('x', 'firing', hour), alert('y', 'firing', hour)]);
    await notify(key, [alert('x', 'resolved', hour, '2026-12-07T01:30:00Z')]);
    const perHour = await groups.perHour(3, new Date('2026-12-07T02:10:00Z'));
    expect(perHour).toEqual([
      { hour: '2026-12-07T00:00:00.000Z', alerts: 0 },
      { hour: '2026-12-07T01:00:00.000Z', alerts: 2 },
      { hour: '2026-12-07T02:00:00.000Z', alerts: 0 },
    ]);
    await notify(key, [alert('x', 'firing', '2026-12-07T02:05:00Z')]);
    const later = await groups.perHour(1, new Date('2026-12-07T02:10:00Z'));
    expect(later).toEqual([{ hour: '2026-12-07T02:00:00.000Z', alerts: 1 }]);
  });
});

describe('an alert group whose pods come and go', () => {
  it('keeps at most a thousand alerts, dropping the longest resolved and never a firing one', async () => {
    const key = '{}:{alertname="DiskFull",case="6"}';
    const resolved = Array.from({ length: 1_100 }, (_, i) =>
      alert(
        `old${i}`,
        'resolved',
        '2026-12-06T08:00:00Z',
        new Date(Date.parse('2026-12-06T09:00:00Z') + i * 1_000).toISOString(),
      ),
    );
    await groups.merge({ groupKey: key, alerts: resolved.slice(0, 600) });
    const state = await groups.merge({
      groupKey: key,
      alerts: [...resolved.slice(600), alert('now', 'firing', '2026-12-06T10:00:00Z')],
    });
    expect(state.alerts).toHaveLength(1_000);
    const kept = new Set(state.alerts.map((a) => a.fingerprint));
    expect(kept.has('now')).toBe(true);
    expect(kept.has('old0')).toBe(false);
    expect(kept.has('old1099')).toBe(true);
  });
});
