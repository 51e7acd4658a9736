import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../src/config/index.ts';
import { type Role, startProcess } from '../../src/main/start-process.ts';
import { createLogger } from '../../src/observability/logger.ts';
import { dropPrefix, testPrefix, testRedisUrl } from './redis.ts';

export type TestApp = {
  baseUrl: string;
  prefix: string;
  redisUrl: string;
  stop(): Promise<void>;
};

/**
 * The real process wiring (`coxswain all` unless told otherwise) on a free port, against real
 * Redis under a fresh key prefix. Extra environment variables configure it as production would.
 */
export async function startTestApp(
  env: Record<string, string> = {},
  role: Role = 'all',
  /** Trust names typed on this machine, as `coxswain demo` does. */
  options: { trustLocalNames?: boolean } = {},
): Promise<TestApp> {
  const prefix = testPrefix();
  const redisUrl = env.REDIS_URL ?? testRedisUrl();
  // Tests that do not test the webhook's credentials post to it open, as the demo does.
  const credentials =
    env.ALERTMANAGER_TOKEN !== undefined || env.ALERTMANAGER_USERNAME !== undefined;
  const config = loadConfig({
    REDIS_URL: redisUrl,
    REDIS_PREFIX: prefix,
    PORT: '0',
    WORKER_PORT: '0',
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    SHUTDOWN_TIMEOUT_SECONDS: '5',
    AUDIT_DIR: mkdtempSync(join(tmpdir(), 'coxswain-audit-')),
    ...(credentials ? {} : { ALERTMANAGER_AUTH: 'none' }),
    ...env,
  });
  const configured = options.trustLocalNames
    ? { ...config, dashboard: { ...config.dashboard, trustLocalNames: true } }
    : config;
  const running = await startProcess(configured, role, createLogger(configured.logLevel));
  return {
    baseUrl: `http://127.0.0.1:${running.port}`,
    prefix,
    redisUrl,
    async stop() {
      await running.stop();
      await dropPrefix(redisUrl, prefix);
    },
  };
}

export function postAlert(baseUrl: string, body: unknown, headers: Record<string, string> = {}) {
  return fetch(`${baseUrl}/alerts/alertmanager`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}
