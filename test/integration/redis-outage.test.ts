import { Redis } from 'ioredis';
import { afterEach, expect, it } from 'vitest';
import { alertInboxKey } from '../../src/queue/alert-inbox.ts';
import {
  type EmbeddedRedis,
  freePort,
  startEmbeddedRedis,
} from '../../src/runtime/embedded-redis.ts';
import { postAlert, startTestApp, type TestApp } from '../support/app.ts';
import { alertFixture } from '../support/fixtures.ts';
import { SseClient } from '../support/sse.ts';

let redis: EmbeddedRedis | undefined;
let app: TestApp | undefined;
let alerts: SseClient | undefined;

afterEach(async () => {
  await alerts?.close();
  await app?.stop();
  await redis?.stop();
  alerts = undefined;
  app = undefined;
  redis = undefined;
});

/** Posts as Alertmanager does while Redis comes back: again every 200 ms, each answer 503 or 202. */
async function postUntilAccepted(baseUrl: string, fixture: 'firing' | 'multi'): Promise<number> {
  for (let attempt = 0; attempt < 100; attempt++) {
    await new Promise((resolve) => setTimeout(resolve, 200));
    const status = (await postAlert(baseUrl, alertFixture(fixture))).status;
    if (status === 202) return status;
    expect(status).toBe(503);
  }
  return 0;
}

const headline = (text: string) => (event: { event: string; data: string }) =>
  event.event === 'message' && JSON.parse(event.data).message.headline === text;

it('answers 503 while Redis is down, so Alertmanager retries, and 2xx once it is back', async () => {
  redis = await startEmbeddedRedis();
  const port = redis.port;
  app = await startTestApp({ REDIS_URL: redis.url });
  alerts = await SseClient.connect(`${app.baseUrl}/api/stream?channel=alerts`);
  expect((await postAlert(app.baseUrl, alertFixture('firing'))).status).toBe(202);
  await alerts.next(headline('Firing: KubePodCrashLooping'));

  await redis.stop();
  const refused = await postAlert(app.baseUrl, alertFixture('multi'));
  const notReady = await fetch(`${app.baseUrl}/readyz`);
  const alive = await fetch(`${app.baseUrl}/healthz`);

  expect(refused.status).toBe(503);
  expect(refused.headers.get('retry-after')).toBe('5');
  expect(await refused.json()).toEqual({ error: 'queue unavailable, retry later' });
  expect(notReady.status).toBe(503);
  expect(alive.status).toBe(200);

  redis = await startEmbeddedRedis({ port });
  const status = await postUntilAccepted(app.baseUrl, 'multi');

  expect(status).toBe(202);
  expect((await fetch(`${app.baseUrl}/readyz`)).status).toBe(200);
  await alerts.next(headline('Firing: KubeNodePressure (3 alerts)'), 20_000);
});

it('starts while Redis is down, answers 503, and works once Redis comes up', async () => {
  const port = await freePort();
  app = await startTestApp({ REDIS_URL: `redis://127.0.0.1:${port}` });

  const alive = await fetch(`${app.baseUrl}/healthz`);
  const notReady = await fetch(`${app.baseUrl}/readyz`);
  const refused = await postAlert(app.baseUrl, alertFixture('firing'));

  expect(alive.status).toBe(200);
  expect(notReady.status).toBe(503);
  expect(refused.status).toBe(503);

  redis = await startEmbeddedRedis({ port });
  const status = await postUntilAccepted(app.baseUrl, 'firing');
  expect(status).toBe(202);
  alerts = await SseClient.connect(`${app.baseUrl}/api/stream?channel=alerts`);
  await alerts.next(headline('Firing: KubePodCrashLooping'), 20_000);
});

it('answers 503 when Redis takes no writes for longer than its command timeout, and 2xx after', async () => {
  redis = await startEmbeddedRedis();
  app = await startTestApp({ REDIS_URL: redis.url }, 'bot');
  const admin = new Redis(redis.url);
  try {
    // Writes wait until the pause ends, 2 s after the producer's 5 s command timeout.
    await admin.call('CLIENT', 'PAUSE', '7000', 'WRITE');
    const refused = await postAlert(app.baseUrl, alertFixture('firing'));

    expect(refused.status).toBe(503);
    expect(await refused.json()).toEqual({ error: 'queue unavailable, retry later' });
    expect(await postUntilAccepted(app.baseUrl, 'firing')).toBe(202);
    expect(await admin.xlen(alertInboxKey(app.prefix))).toBeGreaterThanOrEqual(1);
  } finally {
    admin.disconnect();
  }
});
