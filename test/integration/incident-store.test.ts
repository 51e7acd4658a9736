import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { AlertGroups, groupId, REFIRE_AFTER_MS } from '../../src/alerts/alert-groups.ts';
import { INDEX_KEPT, type Incident, Incidents } from '../../src/alerts/incidents.ts';
import type { Alert } from '../../src/alerts/schema.ts';
import { recordDiagnosis } from '../../src/worker/incident-reports.ts';
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
async function notify(groupKey: string, alerts: Alert[], receivedAt = new Date()) {
  const group = await groups.merge({ groupKey, alerts }, receivedAt);
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

  it("records an answer's Cause line as the diagnosis, not its headline, which is the symptom", async () => {
    const key = '{}:{alertname="DiskFull",case="cause-line"}';
    const opened = await notify(key, [alert('a', 'firing', '2026-12-06T10:00:00Z')]);
    if (opened.observed.kind !== 'opened') throw new Error('not opened');
    const { threadKey } = opened.observed.incident;

    await recordDiagnosis(incidents, threadKey, {
      text: 'container app of pod db-0 is crash looping (4 restarts)\nCause: the volume /data is full\nConfidence: likely — from its log',
      by: 'analyzers, no model',
      runId: 'r-cause',
      at: new Date('2026-12-06T10:02:00Z'),
    });

    expect((await incidents.ofThread(threadKey))?.diagnosis?.cause).toBe(
      'the volume /data is full',
    );
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

describe('incidents over time', () => {
  it('opens a new incident when a group fires again after its state expired, and never replays the old close', async () => {
    const key = '{}:{alertname="DiskFull",case="expired"}';
    await notify(key, [alert('a', 'firing', '2026-12-01T10:00:00Z')]);
    const closed = await notify(key, [
      alert('a', 'resolved', '2026-12-01T10:00:00Z', '2026-12-01T10:20:00Z'),
    ]);
    if (closed.observed.kind !== 'closed') throw new Error('not closed');
    // Eight days on, the group's state (kept 7 days) is gone; its incident state (30 days) is not.
    await redis.del(`${prefix}:alert-group:${groupId(key)}`);

    const refired = await notify(key, [alert('a', 'firing', '2026-12-09T10:00:00Z')]);
    const ongoing = await notify(key, [
      alert('a', 'firing', '2026-12-09T10:00:00Z'),
      alert('b', 'firing', '2026-12-09T10:02:00Z'),
    ]);
    const resolved = await notify(key, [
      alert('a', 'resolved', '2026-12-09T10:00:00Z', '2026-12-09T10:30:00Z'),
      alert('b', 'resolved', '2026-12-09T10:02:00Z', '2026-12-09T10:30:00Z'),
    ]);

    expect([refired, ongoing, resolved].map((n) => n.observed.kind)).toEqual([
      'opened',
      'ongoing',
      'closed',
    ]);
    if (resolved.observed.kind !== 'closed') return;
    expect(resolved.observed.incident.id).not.toBe(closed.observed.incident.id);
    expect(resolved.observed.incident.firedAt).toBe('2026-12-09T10:00:00.000Z');
  });

  it('opens a new incident for an alert Prometheus sends again with its old start after a restart', async () => {
    const key = '{}:{alertname="DiskFull",case="restart"}';
    const received = Date.parse('2026-12-06T10:00:00Z');
    await notify(key, [alert('a', 'firing', '2026-12-06T10:00:00Z')], new Date(received));
    const closed = await notify(
      key,
      [alert('a', 'resolved', '2026-12-06T10:00:00Z', '2026-12-06T10:08:00Z')],
      new Date(received + 9 * 60_000),
    );

    const refired = await notify(
      key,
      [alert('a', 'firing', '2026-12-06T10:00:00Z')],
      new Date(received + 10 * 60_000 + REFIRE_AFTER_MS),
    );

    expect(refired.group.alerts.map((a) => a.status)).toEqual(['firing']);
    expect(refired.observed.kind).toBe('opened');
    if (closed.observed.kind !== 'closed' || refired.observed.kind !== 'opened') return;
    expect(refired.observed.incident.id).not.toBe(closed.observed.incident.id);
  });

  it('observes a group of very many alerts', async () => {
    // More alerts than a spread into Math.min or Math.max takes as arguments.
    const many = Array.from({ length: 150_000 }, (_, i) =>
      alert(`m${i}`, 'resolved', '2026-12-06T10:00:00Z', '2026-12-06T10:05:00Z'),
    );
    many[0] = alert('m0', 'resolved', '2026-12-06T09:00:00Z', '2026-12-06T10:05:00Z');

    // Firing as Alertmanager says, with the alerts it sent all resolved: both ends are read.
    const observed = await incidents.observe(
      { groupKey: '{}:{case="many"}', commonLabels: labels, groupLabels: {} },
      { alerts: many, version: 1, truncated: 0 },
      ['web:alerts'],
      true,
    );

    expect(observed).toMatchObject({
      kind: 'opened',
      incident: { firedAt: '2026-12-06T09:00:00.000Z' },
    });
  });

  it('keeps an incident while its group is observed, however long, and writes it again if it was lost', async () => {
    const key = '{}:{alertname="DiskFull",case="long"}';
    const opened = await notify(key, [alert('a', 'firing', '2026-10-01T10:00:00Z')]);
    if (opened.observed.kind !== 'opened') throw new Error('not opened');
    const record = `${prefix}:incident:${opened.observed.incident.id}`;
    // A month on, the record is about to expire.
    await redis.expire(record, 60);

    await notify(key, [
      alert('a', 'firing', '2026-10-01T10:00:00Z'),
      alert('b', 'firing', '2026-10-31T10:00:00Z'),
    ]);
    const refreshed = await redis.ttl(record);
    // Lost all the same (kept by an earlier version that did not refresh it).
    await redis.del(record);
    const closed = await notify(key, [
      alert('a', 'resolved', '2026-10-01T10:00:00Z', '2026-11-02T10:00:00Z'),
      alert('b', 'resolved', '2026-10-31T10:00:00Z', '2026-11-02T10:00:00Z'),
    ]);

    expect(refreshed).toBeGreaterThan(29 * 86_400);
    expect(closed.observed).toMatchObject({
      kind: 'closed',
      incident: {
        id: opened.observed.incident.id,
        firedAt: '2026-10-01T10:00:00.000Z',
        resolvedAt: '2026-11-02T10:00:00.000Z',
      },
    });
    expect(await redis.ttl(record)).toBeGreaterThan(29 * 86_400);
  });

  it("leaves no key without expiry behind when an incident's record expired before its report", async () => {
    const key = '{}:{alertname="DiskFull",case="gone"}';
    const opened = await notify(key, [alert('a', 'firing', '2026-12-06T10:00:00Z')]);
    if (opened.observed.kind !== 'opened') throw new Error('not opened');
    const { incident } = opened.observed;
    const record = `${prefix}:incident:${incident.id}`;
    await redis.del(record);

    await incidents.diagnosed(incident.threadKey, {
      at: '2026-12-06T10:02:00.000Z',
      cause: 'The data volume is full',
      evidence: '',
      by: 'analyzers, no model',
      runId: 'r1',
    });
    await incidents.joined(incident.threadKey, 'alert.other');
    await incidents.keepReport(incident.id, { cause: 'The data volume is full' });
    const written = await redis.exists(record);
    await incidents.proposalRange(incident, 1);
    const figures = { resolveSeconds: 60, diagnoseSeconds: undefined, mitigateSeconds: undefined };
    const counted = await incidents.count(incident, { ...figures, automated: false });
    const again = await incidents.count(incident, { ...figures, automated: false });

    expect(written).toBe(0);
    expect([counted, again]).toEqual([true, false]);
    expect(await redis.ttl(record)).toBeGreaterThan(0);
    expect(await redis.ttl(`${prefix}:incident-state:${incident.groupId}`)).toBeGreaterThan(0);
  });
});

describe('the incidents index', () => {
  const own = (name: string) => {
    const scoped = `${prefix}:${name}`;
    return {
      scoped,
      groups: new AlertGroups(redis, scoped),
      incidents: new Incidents(redis, scoped),
    };
  };
  const open = async (
    store: ReturnType<typeof own>,
    key: string,
    startsAt: string,
    channel = 'web:alerts',
  ) => {
    const alerts = [alert(key, 'firing', startsAt)];
    const observed = await store.incidents.observe(
      { groupKey: key, commonLabels: { alertname: key }, groupLabels: {} },
      await store.groups.merge({ groupKey: key, alerts }),
      [channel],
    );
    if (observed.kind !== 'opened') throw new Error('not opened');
    return observed.incident;
  };

  it('lists incidents by when they opened here, whatever dates their alerts carry', async () => {
    const store = own('dated');
    await open(store, 'Far', '9999-12-01T00:00:00Z');

    await open(store, 'Genuine', '2026-12-06T10:00:00Z');

    expect((await store.incidents.recent(1)).map((r) => r.incident.alertname)).toEqual(['Genuine']);
  });

  it("finds a reader's incidents past newer ones they may not see, and forgets ids whose record expired", async () => {
    const store = own('visible');
    const mine = await open(store, 'Mine', '2026-12-06T09:00:00Z', 'web:mine');
    const others: Incident[] = [];
    for (let i = 0; i < 5; i++)
      others.push(await open(store, `Other${i}`, '2026-12-06T10:00:00Z', 'web:others'));
    for (const expired of others.slice(0, 3))
      await redis.del(`${store.scoped}:incident:${expired.id}`);

    const listed = await store.incidents.recent(2, (incident) =>
      incident.channels.includes('web:mine'),
    );

    expect(listed.map((r) => r.incident.id)).toEqual([mine.id]);
    expect(await redis.zcard(`${store.scoped}:incidents`)).toBe(3);
  });

  it('forgets its oldest ids whose record expired as new incidents open', async () => {
    const store = own('expired');
    const old = await open(store, 'Old', '2026-12-06T09:00:00Z');
    await redis.del(`${store.scoped}:incident:${old.id}`);

    const fresh = await open(store, 'Fresh', '2026-12-06T10:00:00Z');

    expect(await redis.zrange(`${store.scoped}:incidents`, '0', '-1')).toEqual([fresh.id]);
  });

  it(`keeps the ${INDEX_KEPT} newest incidents`, async () => {
    const store = own('bounded');
    const state = (i: number) => ({
      alerts: [alert(`n${i}`, 'firing', '2026-12-06T10:00:00Z')],
      version: 1,
      truncated: 0,
    });
    const first = await store.incidents.observe(
      { groupKey: 'n0', commonLabels: labels, groupLabels: {} },
      state(0),
      ['web:alerts'],
    );
    for (let from = 1; from <= INDEX_KEPT; from += 500)
      await Promise.all(
        Array.from({ length: 500 }, (_, k) =>
          store.incidents.observe(
            { groupKey: `n${from + k}`, commonLabels: labels, groupLabels: {} },
            state(from + k),
            ['web:alerts'],
          ),
        ),
      );

    const index = `${store.scoped}:incidents`;
    expect(await redis.zcard(index)).toBe(INDEX_KEPT);
    if (first.kind !== 'opened') throw new Error('not opened');
    expect(await redis.zscore(index, first.incident.id)).toBeNull();
  });
});

describe('incident figures', () => {
  const figures = { resolveSeconds: 60, diagnoseSeconds: undefined, mitigateSeconds: undefined };
  const incident = (n: number, alertname: string, namespace: string, cluster?: string) => ({
    id: `g${n}.1`,
    groupId: `g${n}`,
    threadKey: `alert.g${n}`,
    alertname,
    namespace,
    ...(cluster === undefined ? {} : { cluster }),
    channels: ['web:alerts'],
    firedAt: '2026-12-06T10:00:00.000Z',
  });

  it('keeps 500 alert name, namespace and cluster sets apart, and counts the rest under (other)', async () => {
    const store = new Incidents(redis, `${prefix}:sets`);

    for (let from = 0; from < 510; from += 100)
      await Promise.all(
        Array.from({ length: Math.min(100, 510 - from) }, (_, k) =>
          store.count(incident(from + k, `Alert${from + k}`, 'ns'), {
            ...figures,
            automated: false,
          }),
        ),
      );

    const stats = await store.stats();
    expect(stats).toHaveLength(501);
    expect(stats.find((s) => s.alertname === '(other)')?.resolved).toBe(10);
  });

  it('files figures by cluster too, and an alert name cannot name another namespace', async () => {
    const store = new Incidents(redis, `${prefix}:apart`);

    await store.count(incident(1, 'Fake\u001fpayments', 'tenant-a'), {
      ...figures,
      automated: false,
    });
    await store.count(incident(2, 'Errors', 'payments', 'prod'), { ...figures, automated: false });
    await store.count(incident(3, 'Errors', 'payments', 'dev'), { ...figures, automated: false });

    const stats = await store.stats();
    expect(stats.map((s) => [s.alertname, s.namespace, s.cluster, s.resolved]).sort()).toEqual([
      ['Errors', 'payments', 'dev', 1],
      ['Errors', 'payments', 'prod', 1],
      ['Fakepayments', 'tenant-a', '', 1],
    ]);
  });
});

describe('an alert group whose pods come and go', () => {
  it('keeps at most a thousand alerts, dropping the longest resolved first', async () => {
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
