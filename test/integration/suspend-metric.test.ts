import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SuspendSwitch } from '../../src/policy/suspend.ts';
import { startTestApp, type TestApp } from '../support/app.ts';

let app: TestApp;
let redis: Redis;

beforeAll(async () => {
  app = await startTestApp({}, 'worker');
  redis = new Redis(app.redisUrl);
});

afterAll(async () => {
  redis.disconnect();
  await app.stop();
});

const scrape = async () =>
  /^coxswain_writes_suspended (\d)$/m.exec(
    await (await fetch(`${app.baseUrl}/metrics`)).text(),
  )?.[1];

describe('coxswain_writes_suspended', () => {
  it('is 1 while the switch is on and 0 once it is off, on a worker as on a bot', async () => {
    const suspension = new SuspendSwitch(redis, app.prefix);

    const before = await scrape();
    await suspension.suspend('cli:alice', 'database migration');
    const during = await scrape();
    await suspension.resume('cli:alice');
    const after = await scrape();

    expect([before, during, after]).toEqual(['0', '1', '0']);
  });
});
