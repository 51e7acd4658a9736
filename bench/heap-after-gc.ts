import { Agent } from 'node:http';
import { loadConfig } from '../src/config/index.ts';
import { startProcess } from '../src/main/start-process.ts';
import { createLogger } from '../src/observability/logger.ts';
import { startEmbeddedRedis } from '../src/runtime/embedded-redis.ts';
import {
  deliveredCount,
  multiAlertFixture,
  postAlert,
  sleep,
  uniqueMultiAlert,
} from './support.ts';

// Run with --expose-gc: the whole product in this process, so that a full collection before each
// reading shows what is retained rather than what the collector has not reached yet.
const ALERTS = Number(process.argv[2] ?? 10_000);
const gc = (globalThis as { gc?: () => void }).gc;
if (gc === undefined) throw new Error('run with node --expose-gc');
const heapMiB = () => {
  gc();
  return process.memoryUsage().heapUsed / 1024 / 1024;
};

const redis = await startEmbeddedRedis();
const config = loadConfig({
  REDIS_URL: redis.url,
  PORT: '0',
  WORKER_PORT: '0',
  LOG_LEVEL: 'warn',
  ALERTMANAGER_AUTH: 'none',
});
const running = await startProcess(config, 'all', createLogger(config.logLevel));
try {
  const template = multiAlertFixture();
  const agent = new Agent({ keepAlive: true, maxSockets: 50 });
  const before = heapMiB();
  let next = 0;
  await Promise.all(
    Array.from({ length: 50 }, async () => {
      while (next < ALERTS)
        await postAlert(agent, running.port, uniqueMultiAlert(template, next++));
    }),
  );
  while ((await deliveredCount(running.port)) < ALERTS) await sleep(200);
  await sleep(2_000);
  const after = heapMiB();
  agent.destroy();
  process.stdout.write(`${JSON.stringify({ before, after })}\n`);
} finally {
  await running.stop();
  await redis.stop();
}
