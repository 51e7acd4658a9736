import { mkdtempSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Queue, UnrecoverableError, Worker } from 'bullmq';
import { afterEach, describe, expect, it } from 'vitest';
import type { Role } from '../../src/main/start-process.ts';
import { inboxDrained, inboxLength, moveAlertInbox } from '../support/alert-inbox.ts';
import { postAlert, startTestApp, type TestApp } from '../support/app.ts';
import { alertFixture, alertFixtureText } from '../support/fixtures.ts';
import { queuesIdle } from '../support/queues-idle.ts';
import { SseClient } from '../support/sse.ts';

type Entry = {
  id: string;
  channel: string;
  author: string;
  bot: boolean;
  message: { headline?: string; text?: string };
};

const TOKEN = 'alertmanager-token-0123456789';
let app: TestApp | undefined;
let streams: SseClient[] = [];

async function start(env: Record<string, string> = {}, role: Role = 'all') {
  app = await startTestApp(env, role);
  return app;
}

async function stream(a: TestApp, channel: string) {
  const client = await SseClient.connect(`${a.baseUrl}/api/stream?channel=${channel}`);
  streams.push(client);
  return client;
}

/**
 * Alert notifications on the runs queue, wherever they are in their life, once the inbox has
 * passed every accepted one on. (A notification that a workflow matches also starts a workflow
 * run there; those are not notifications.)
 */
async function runJobCount(a: TestApp): Promise<number> {
  await inboxDrained(a);
  const runs = new Queue('runs', { connection: { url: a.redisUrl }, prefix: a.prefix });
  try {
    const jobs = await runs.getJobs(['waiting', 'active', 'completed', 'failed', 'delayed']);
    return jobs.filter((job) => job.data.kind === 'alert').length;
  } finally {
    await runs.close();
  }
}

/** A kubeconfig naming a server on a port nothing listens on. */
function kubeconfigOf(dir: string): string {
  const file = join(dir, 'kubeconfig');
  writeFileSync(
    file,
    [
      'apiVersion: v1',
      'kind: Config',
      'clusters: [{ name: prod, cluster: { server: "https://127.0.0.1:9" } }]',
      'users: [{ name: prod, user: { token: unused } }]',
      'contexts: [{ name: prod, context: { cluster: prod, user: prod } }]',
      'current-context: prod',
      '',
    ].join('\n'),
  );
  return file;
}

function getWithHost(port: number, path: string, host: string) {
  return new Promise<{ status: number; body: string }>((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, headers: { host } }, (res) => {
      let body = '';
      res.on('data', (chunk: Buffer) => {
        body += chunk.toString();
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

const headline = (text: string) => (event: { event: string; data: string }) =>
  event.event === 'message' && (JSON.parse(event.data) as Entry).message.headline === text;

afterEach(async () => {
  await Promise.all(streams.map((s) => s.close()));
  streams = [];
  await app?.stop();
  app = undefined;
});

describe('Alertmanager webhook to the web console', () => {
  it('delivers firing, resolved and multi-alert notifications to #alerts live', async () => {
    const a = await start();
    const alerts = await stream(a, 'alerts');

    // Each in its turn, as Alertmanager sends them: a resolution minutes after its firing.
    const shown = [
      ['firing', 'Firing: KubePodCrashLooping'],
      ['multi', 'Firing: KubeNodePressure (3 alerts)'],
      ['resolved', 'Resolved: KubePodCrashLooping'],
    ] as const;
    for (const [name, shows] of shown) {
      const response = await postAlert(a.baseUrl, alertFixtureText(name));
      expect(response.status).toBe(202);
      await alerts.next(headline(shows));
    }

    const entries = alerts.messages<Entry>();
    expect(entries).toHaveLength(3);
    expect(entries.every((e) => e.bot && e.author === 'Coxswain' && e.channel === 'alerts')).toBe(
      true,
    );
  });

  it('enqueues a retried identical notification once', async () => {
    const a = await start();
    const alerts = await stream(a, 'alerts');

    const first = await postAlert(a.baseUrl, alertFixture('firing'));
    const second = await postAlert(a.baseUrl, alertFixture('firing'));

    expect(first.status).toBe(202);
    expect(second.status).toBe(202);
    const [one, two] = [await first.json(), await second.json()] as { jobId: string }[];
    expect(two?.jobId).toBe(one?.jobId);
    expect(await runJobCount(a)).toBe(1);
    await alerts.next(headline('Firing: KubePodCrashLooping'));
    await postAlert(a.baseUrl, alertFixture('resolved'));
    await alerts.next(headline('Resolved: KubePodCrashLooping'));
    expect(
      alerts.messages<Entry>().filter((e) => e.message.headline === 'Firing: KubePodCrashLooping'),
    ).toHaveLength(1);
  });

  it('queues each of many notifications sent at once exactly once, retries and all', async () => {
    const a = await start({}, 'bot');
    const groups = Array.from({ length: 30 }, (_, i) => `{}:{alertname="Burst", n="${i}"}`);
    const notification = (groupKey: string) => ({ ...alertFixture('multi'), groupKey });

    const answers = await Promise.all(
      groups.flatMap((key) => [
        postAlert(a.baseUrl, notification(key)),
        postAlert(a.baseUrl, notification(key)),
      ]),
    );

    expect(answers.map((answer) => answer.status)).toEqual(answers.map(() => 202));
    const ids = (await Promise.all(answers.map((answer) => answer.json()))) as { jobId: string }[];
    expect(new Set(ids.map((id) => id.jobId)).size).toBe(groups.length);
    // Accepted means in Redis: every copy is in the inbox before any worker runs.
    expect(await inboxLength(a)).toBe(answers.length);
    const mover = moveAlertInbox(a);
    try {
      await inboxDrained(a);
      const jobs = await mover.runs.getJobs([
        'waiting',
        'active',
        'completed',
        'failed',
        'delayed',
      ]);
      const kept = jobs.map((job) =>
        job.data.kind === 'alert' ? job.data.payload.groupKey : undefined,
      );
      expect(kept.sort()).toEqual([...groups].sort());
    } finally {
      await mover.stop();
    }
  });

  it('routes by label to the channels the config file names', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'coxswain-routes-'));
    const file = join(dir, 'coxswain.yaml');
    writeFileSync(file, 'routes:\n  - match: { severity: critical }\n    channels: [web:oncall]\n');
    const a = await start({ COXSWAIN_CONFIG: file });
    const oncall = await stream(a, 'oncall');
    const alerts = await stream(a, 'alerts');

    await postAlert(a.baseUrl, alertFixture('firing'));
    await postAlert(a.baseUrl, alertFixture('multi'));

    await oncall.next(headline('Firing: KubePodCrashLooping'));
    await alerts.next(headline('Firing: KubeNodePressure (3 alerts)'));
    expect(oncall.messages<Entry>().map((e) => e.message.headline)).toEqual([
      'Firing: KubePodCrashLooping',
    ]);
    expect(alerts.messages<Entry>().map((e) => e.message.headline)).toEqual([
      'Firing: KubeNodePressure (3 alerts)',
    ]);
  });

  it("sends a group no route takes to its cluster's alert channel", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'coxswain-routes-'));
    const file = join(dir, 'coxswain.yaml');
    writeFileSync(
      file,
      'clusters:\n  - name: prod\n    alertChannel: web:prod-alerts\nroutes:\n  - match: { team: nobody }\n    channels: [web:nobody]\n',
    );
    const a = await start({ COXSWAIN_CONFIG: file });
    const prod = await stream(a, 'prod-alerts');
    const firing = alertFixture('firing') as {
      commonLabels: Record<string, string>;
      groupKey: string;
    };

    await postAlert(a.baseUrl, {
      ...firing,
      groupKey: `${firing.groupKey}:prod`,
      commonLabels: { ...firing.commonLabels, cluster: 'prod' },
    });

    await prod.next(headline('Firing: KubePodCrashLooping'));
  });

  it('delivers an alert for a namespace no binding covers, with nothing offered', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'coxswain-routes-'));
    const file = join(dir, 'coxswain.yaml');
    writeFileSync(
      file,
      [
        // A cluster nothing will reach: the alert is about what the binding does not cover, so
        // neither the workflow it matches nor an investigation gets as far as reading it.
        'clusters:',
        `  - name: prod`,
        `    kubeconfig: ${kubeconfigOf(dir)}`,
        'bindings:',
        '  - channel: web:oncall',
        '    clusters: [prod]',
        '    namespaces: [checkout]',
        '    maxTier: confirm',
        'routes:',
        '  - match: {}',
        '    channels: [web:oncall]',
        '',
      ].join('\n'),
    );
    const a = await start({ COXSWAIN_CONFIG: file });
    // A bound console channel is listed before anything is said in it.
    const listed = (await (await fetch(`${a.baseUrl}/api/channels`)).json()) as {
      channels: string[];
    };
    expect(listed.channels).toEqual(['alerts', 'general', 'oncall']);
    const oncall = await stream(a, 'oncall');

    // The fixture's alert is about a namespace the channel's binding does not name.
    await postAlert(a.baseUrl, alertFixture('firing'));

    await oncall.next(headline('Firing: KubePodCrashLooping'));
    await queuesIdle(a);
    const entries = oncall.messages<Entry & { message: { buttons?: unknown[] } }>();
    expect(entries.map((e) => e.message.headline)).toEqual(['Firing: KubePodCrashLooping']);
    expect(entries[0]?.message.buttons ?? []).toEqual([]);
  });

  it('refuses bad requests with a clear 4xx and enqueues nothing', async () => {
    const a = await start();

    const invalidJson = await postAlert(a.baseUrl, '{"version": "4",');
    const badField = await postAlert(a.baseUrl, { ...alertFixture('firing'), status: 'exploding' });
    const tooLarge = await postAlert(a.baseUrl, 'x'.repeat(1024 * 1024 + 1));
    const wrongMethod = await fetch(`${a.baseUrl}/alerts/alertmanager`);

    expect(invalidJson.status).toBe(400);
    expect(await invalidJson.json()).toEqual({ error: 'request body is not valid JSON' });
    expect(badField.status).toBe(400);
    expect(await badField.json()).toEqual({
      error: 'invalid Alertmanager payload: status: must be "firing" or "resolved"',
    });
    expect(tooLarge.status).toBe(413);
    expect(wrongMethod.status).toBe(405);
    expect(await runJobCount(a)).toBe(0);
    const metrics = await (await fetch(`${a.baseUrl}/metrics`)).text();
    expect(metrics).toContain('coxswain_webhook_rejections_total{reason="invalid_json"} 1');
    expect(metrics).toContain('coxswain_webhook_rejections_total{reason="invalid_payload"} 1');
    expect(metrics).toContain('coxswain_webhook_rejections_total{reason="too_large"} 1');
    expect(metrics).not.toContain('coxswain_alert_notifications_total{');
  });

  it('answers 413 with a message to a 2 MB body, declared or chunked, instead of a reset', async () => {
    const a = await start();
    const body = JSON.stringify({
      ...alertFixture('firing'),
      padding: 'x'.repeat(2 * 1024 * 1024),
    });
    const bytes = new TextEncoder().encode(body);
    const chunked = new ReadableStream<Uint8Array>({
      start(controller) {
        for (let at = 0; at < bytes.length; at += 65_536)
          controller.enqueue(bytes.subarray(at, at + 65_536));
        controller.close();
      },
    });

    const declared = await postAlert(a.baseUrl, body);
    const streamed = await fetch(`${a.baseUrl}/alerts/alertmanager`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: chunked,
      duplex: 'half',
    } as RequestInit);

    expect(declared.status).toBe(413);
    expect(await declared.json()).toEqual({ error: 'request body is larger than 1048576 bytes' });
    expect(streamed.status).toBe(413);
    expect(streamed.headers.get('content-length')).toBeNull();
    expect(await streamed.json()).toEqual({ error: 'request body is larger than 1048576 bytes' });
    expect(await runJobCount(a)).toBe(0);
  });

  it('keeps a bounded job for a notification full of long annotations, saying what it trimmed', async () => {
    const a = await start({}, 'bot');
    const payload = alertFixture('firing') as { alerts: { annotations: Record<string, string> }[] };
    const alert = payload.alerts[0];
    if (alert === undefined) throw new Error('fixture without an alert');
    for (let i = 0; i < 30; i++) alert.annotations[`note_${i}`] = 'y'.repeat(30_000);

    const response = await postAlert(a.baseUrl, payload);

    expect(response.status).toBe(202);
    const { jobId } = (await response.json()) as { jobId: string };
    const mover = moveAlertInbox(a);
    try {
      await inboxDrained(a);
      const job = await mover.runs.getJob(jobId);
      const kept = JSON.stringify(job?.data);
      expect(JSON.stringify(payload).length).toBeGreaterThan(900_000);
      expect(kept.length).toBeLessThan(100_000);
      expect(kept).toContain('… [trimmed 28,000 characters]');
    } finally {
      await mover.stop();
    }
  });

  it('refuses bodies that are not declared JSON, as a web page could send', async () => {
    const a = await start();

    const response = await fetch(`${a.baseUrl}/alerts/alertmanager`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: JSON.stringify(alertFixture('firing')),
    });

    expect(response.status).toBe(415);
    expect(await response.json()).toEqual({ error: 'content-type must be application/json' });
  });

  it('answers 400 to a request target that is not a path, and keeps serving', async () => {
    const a = await start();
    const port = Number(new URL(a.baseUrl).port);

    const raw = await new Promise<string>((resolve, reject) => {
      const socket = connect(port, '127.0.0.1', () => {
        socket.end('GET //x:99999 HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n');
      });
      let data = '';
      socket.on('data', (chunk) => {
        data += chunk.toString();
      });
      socket.on('end', () => resolve(data));
      socket.on('error', reject);
    });

    expect(raw).toMatch(/^HTTP\/1\.1 400 /);
    expect((await fetch(`${a.baseUrl}/healthz`)).status).toBe(200);
  });

  it('runs a notification again when its earlier copy failed for good', async () => {
    const a = await start({}, 'bot');
    const payload = alertFixture('firing');
    const failing = new Worker(
      'runs',
      async () => {
        throw new UnrecoverableError('simulated failure');
      },
      { connection: { url: a.redisUrl, maxRetriesPerRequest: null }, prefix: a.prefix },
    );
    const mover = moveAlertInbox(a);
    const { runs } = mover;
    try {
      const first = (await (await postAlert(a.baseUrl, payload)).json()) as { jobId: string };
      for (let i = 0; i < 100 && (await runs.getJobState(first.jobId)) !== 'failed'; i++) {
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      expect(await runs.getJobState(first.jobId)).toBe('failed');
      await failing.close();

      const again = await postAlert(a.baseUrl, payload);

      expect(again.status).toBe(202);
      await inboxDrained(a);
      expect(await runs.getJobState(first.jobId)).toBe('waiting');
    } finally {
      await failing.close();
      await mover.stop();
    }
  });

  it('requires the bearer token when one is configured', async () => {
    const a = await start({ ALERTMANAGER_TOKEN: TOKEN });

    const none = await postAlert(a.baseUrl, alertFixture('firing'));
    const wrong = await postAlert(a.baseUrl, alertFixture('firing'), {
      authorization: 'Bearer not-the-token-at-all',
    });
    const right = await postAlert(a.baseUrl, alertFixture('firing'), {
      authorization: `Bearer ${TOKEN}`,
    });

    expect(none.status).toBe(401);
    expect(await none.json()).toEqual({ error: 'unauthorized' });
    expect(wrong.status).toBe(401);
    expect(right.status).toBe(202);
  });

  it('requires basic credentials when they are configured', async () => {
    const a = await start({
      ALERTMANAGER_USERNAME: 'alertmanager',
      ALERTMANAGER_PASSWORD: 's3cret pass phrase long',
    });
    const basic = (user: string, pass: string) =>
      `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}`;

    const none = await postAlert(a.baseUrl, alertFixture('firing'));
    const wrong = await postAlert(a.baseUrl, alertFixture('firing'), {
      authorization: basic('alertmanager', 'nope'),
    });
    const right = await postAlert(a.baseUrl, alertFixture('firing'), {
      authorization: basic('alertmanager', 's3cret pass phrase long'),
    });

    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toBe('Basic realm="coxswain"');
    expect(wrong.status).toBe(401);
    expect(right.status).toBe(202);
  });
});

describe('web console', () => {
  it('shows a message written in the box to everyone watching the channel', async () => {
    const a = await start();
    const general = await stream(a, 'general');

    const response = await fetch(`${a.baseUrl}/api/channels/general/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ text: 'is anyone looking at payments?', author: 'dana' }),
    });

    expect(response.status).toBe(201);
    const event = await general.next((e) => e.event === 'message');
    expect(JSON.parse(event.data)).toMatchObject({
      author: 'dana',
      bot: false,
      channel: 'general',
      message: { text: 'is anyone looking at payments?' },
    });
  });

  it('replays what a reconnecting browser missed after its Last-Event-ID', async () => {
    const a = await start();
    const post = (text: string) =>
      fetch(`${a.baseUrl}/api/channels/general/messages`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ text }),
      });
    const first = (await (await post('one')).json()) as { id: string };
    await post('two');
    await post('three');

    const resumed = await SseClient.connect(`${a.baseUrl}/api/stream?channel=general`, {
      'last-event-id': first.id,
    });
    streams.push(resumed);
    await resumed.next((e) => e.event === 'message' && JSON.parse(e.data).message.text === 'three');

    expect(resumed.messages<Entry>().map((e) => e.message.text)).toEqual(['two', 'three']);
  });

  it('refuses messages it cannot take, saying why', async () => {
    const a = await start();
    const post = (channel: string, body: string, type = 'application/json') =>
      fetch(`${a.baseUrl}/api/channels/${channel}/messages`, {
        method: 'POST',
        headers: { 'content-type': type },
        body,
      });

    const form = await post('general', 'text=hi', 'application/x-www-form-urlencoded');
    const empty = await post('general', JSON.stringify({ text: '   ' }));
    const badChannel = await post('Not%20A%20Channel', JSON.stringify({ text: 'hi' }));

    expect(form.status).toBe(415);
    expect(empty.status).toBe(400);
    expect(await empty.json()).toEqual({ error: 'invalid message: text: must not be empty' });
    expect(badChannel.status).toBe(400);
  });

  it('answers only to host names it knows, against DNS rebinding', async () => {
    const a = await start({ ALLOWED_HOSTS: 'coxswain.example.com' });
    const port = Number(new URL(a.baseUrl).port);

    const rebound = await getWithHost(port, '/api/channels', `evil.example:${port}`);
    const configured = await getWithHost(port, '/api/channels', 'coxswain.example.com');
    const byAddress = await getWithHost(port, '/', `127.0.0.1:${port}`);
    const webhookHealth = await getWithHost(port, '/healthz', 'coxswain.coxswain.svc');

    expect(rebound.status).toBe(403);
    expect(rebound.body).toContain('ALLOWED_HOSTS');
    expect(configured.status).toBe(200);
    expect(byAddress.status).toBe(200);
    expect(webhookHealth.status).toBe(200);
  });

  it('lets people open channels up to a limit', async () => {
    const a = await start();
    const post = (channel: string) =>
      fetch(`${a.baseUrl}/api/channels/${channel}/messages`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ text: 'hello' }),
      });

    for (let i = 0; i < 100; i++) expect((await post(`room-${i}`)).status).toBe(201);
    const tooMany = await post('room-100');
    const existing = await post('room-7');

    expect(tooMany.status).toBe(409);
    expect(await tooMany.json()).toEqual({
      error: 'the console has 100 channels already; post in one of them',
    });
    expect(existing.status).toBe(201);
  });

  it('serves the console page with a strict content security policy', async () => {
    const a = await start();

    const page = await fetch(`${a.baseUrl}/`);

    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toContain('text/html');
    expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(await page.text()).toContain('<script type="module" src="/console.js">');
  });
});

describe('health and metrics', () => {
  it('reports live, ready and coxswain_ metrics', async () => {
    const a = await start();
    await postAlert(a.baseUrl, alertFixture('firing'));

    const health = await fetch(`${a.baseUrl}/healthz`);
    const ready = await fetch(`${a.baseUrl}/readyz`);
    const metrics = await (await fetch(`${a.baseUrl}/metrics`)).text();

    expect(health.status).toBe(200);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: 'ready', redis: 'ok' });
    expect(metrics).toContain('coxswain_alert_notifications_total{status="firing"} 1');
    expect(metrics).toContain('coxswain_process_resident_memory_bytes');
    expect(metrics).toMatch(/coxswain_queue_jobs\{queue="runs",state="\w+"\}/);
    expect(metrics).toMatch(/coxswain_queue_jobs\{queue="alert-inbox",state="waiting"\} \d+/);
    expect(metrics).toMatch(/coxswain_queue_jobs\{queue="slack-inbox",state="waiting"\} \d+/);
    const names = metrics
      .split('\n')
      .filter((line) => line.startsWith('# TYPE'))
      .map((line) => line.split(' ')[2] ?? '');
    expect(names.length).toBeGreaterThan(10);
    expect(names.filter((name) => !name.startsWith('coxswain_'))).toEqual([]);
  });
});
