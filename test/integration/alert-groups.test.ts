import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postAlert, startTestApp, type TestApp } from '../support/app.ts';
import { queuesIdle } from '../support/queues-idle.ts';
import { SseClient } from '../support/sse.ts';

/**
 * An alert group is one message in its channel, edited in place as its alerts fire, repeat and
 * resolve, its state taken from the alerts' own timestamps: a "firing" delivered after the
 * "resolved" that ends it changes nothing, and a repeat posts nothing new.
 */
let app: TestApp;
let stream: SseClient;

beforeAll(async () => {
  app = await startTestApp();
  stream = await SseClient.connect(`${app.baseUrl}/api/stream?channel=alerts`);
}, 60_000);

afterAll(async () => {
  await stream?.close();
  await app?.stop();
});

type Entry = {
  id: string;
  replaces?: string;
  thread?: string;
  message: { headline?: string; fields?: { label: string; value: string }[] };
};

function alert(fingerprint: string, status: 'firing' | 'resolved', endsAt?: string) {
  return {
    status,
    labels: { alertname: 'DiskFilling', instance: fingerprint, severity: 'warning' },
    annotations: { summary: 'Disk filling up' },
    startsAt: '2026-12-06T10:00:00Z',
    ...(endsAt === undefined ? {} : { endsAt }),
    generatorURL: 'http://prometheus.example/graph',
    fingerprint,
  };
}

function notification(group: string, alerts: ReturnType<typeof alert>[]) {
  return {
    version: '4',
    groupKey: `{}:{alertname="DiskFilling",group="${group}"}`,
    truncatedAlerts: 0,
    status: alerts.some((a) => a.status === 'firing') ? 'firing' : 'resolved',
    receiver: 'coxswain',
    groupLabels: { alertname: 'DiskFilling' },
    commonLabels: { alertname: 'DiskFilling', severity: 'warning' },
    commonAnnotations: { summary: 'Disk filling up' },
    externalURL: 'http://alertmanager.example',
    alerts,
  };
}

/** The entries of one group's message: the first, and the edits that replace it. */
function messageOf(first: Entry): Entry[] {
  return stream
    .messages<Entry>()
    .filter((entry) => entry.id === first.id || entry.replaces === first.id);
}

const headline = (text: string) => (event: { event: string; data: string }) =>
  event.event === 'message' && (JSON.parse(event.data) as Entry).message.headline === text;

describe('an alert group in its channel', () => {
  it('is one message, edited as its alerts resolve; a late firing and a repeat change nothing', async () => {
    const group = 'g1';
    await postAlert(app.baseUrl, notification(group, [alert('a', 'firing'), alert('b', 'firing')]));
    const first = JSON.parse(
      (await stream.next(headline('Firing: DiskFilling (2 alerts)'), 20_000)).data,
    ) as Entry;

    await postAlert(
      app.baseUrl,
      notification(group, [alert('a', 'resolved', '2026-12-06T10:20:00Z'), alert('b', 'firing')]),
    );
    const partly = await stream.next(
      (event) =>
        event.event === 'message' &&
        (JSON.parse(event.data) as Entry).replaces === first.id &&
        JSON.stringify((JSON.parse(event.data) as Entry).message).includes('1 firing, 1 resolved'),
      20_000,
    );
    expect(JSON.parse(partly.data).message.headline).toBe('Firing: DiskFilling (2 alerts)');

    await postAlert(
      app.baseUrl,
      notification(group, [
        alert('a', 'resolved', '2026-12-06T10:20:00Z'),
        alert('b', 'resolved', '2026-12-06T10:25:00Z'),
      ]),
    );
    await stream.next(headline('Resolved: DiskFilling (2 alerts)'), 20_000);
    // Sent before the resolutions, delivered after them; then the resolution again, repeated.
    await postAlert(app.baseUrl, notification(group, [alert('a', 'firing'), alert('b', 'firing')]));
    await postAlert(
      app.baseUrl,
      notification(group, [
        alert('a', 'resolved', '2026-12-06T10:20:00Z'),
        alert('b', 'resolved', '2026-12-06T10:25:00Z'),
      ]),
    );
    await queuesIdle(app);

    const entries = messageOf(first);
    expect(entries.every((entry) => entry.id === first.id || entry.replaces === first.id)).toBe(
      true,
    );
    expect(entries.at(-1)?.message.headline).toBe('Resolved: DiskFilling (2 alerts)');
    const topLevel = stream
      .messages<Entry>()
      .filter((entry) => entry.replaces === undefined && entry.thread === undefined);
    expect(topLevel).toHaveLength(1);
    // The incident's report, once, in the group's thread: fired 10:00, resolved 10:25.
    const reports = stream
      .messages<Entry>()
      .filter((entry) => entry.message.headline === 'Incident resolved: DiskFilling');
    expect(reports.map((entry) => entry.thread)).toEqual([first.id]);
    expect(JSON.stringify(reports[0]?.message)).toContain('25m');
  }, 60_000);

  it('fires while Alertmanager says so, though the alerts it sent resolved and the rest were cut off', async () => {
    const group = 'g2';
    await postAlert(app.baseUrl, notification(group, [alert('c', 'firing')]));
    const first = JSON.parse((await stream.next(headline('Firing: DiskFilling'), 20_000)).data);
    await postAlert(app.baseUrl, {
      ...notification(group, [alert('c', 'resolved', '2026-12-06T10:20:00Z')]),
      status: 'firing',
      truncatedAlerts: 4,
    });
    await queuesIdle(app);
    const entries = messageOf(first as Entry);
    expect(entries.at(-1)?.message.headline).toBe('Firing: DiskFilling (5 alerts)');
    const reports = stream
      .messages<Entry>()
      .filter(
        (entry) =>
          entry.thread === (first as Entry).id &&
          entry.message.headline === 'Incident resolved: DiskFilling',
      );
    expect(reports).toHaveLength(0);
  }, 60_000);

  it('shows the firing alerts of a group too large to keep as truncated, so none go uncounted', async () => {
    const group = 'g3';
    const alerts = Array.from({ length: 1_001 }, (_, i) => alert(`many-${i}`, 'firing'));

    await postAlert(app.baseUrl, notification(group, alerts));

    const first = await stream.next(headline('Firing: DiskFilling (1001 alerts)'), 20_000);
    expect(first.data).toContain('(1 truncated)');
  }, 60_000);
});
