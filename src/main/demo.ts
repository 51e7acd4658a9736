import { loadConfig, readEnv } from '../config/index.ts';
import { createLogger } from '../observability/logger.ts';
import { startEmbeddedRedis } from '../runtime/embedded-redis.ts';
import { exitOnSignal } from '../runtime/shutdown.ts';
import { startProcess } from '../runtime/start-process.ts';

/**
 * `coxswain demo`: the whole product in one process on port 8080, with its own Redis unless
 * REDIS_URL names one. Quiet logs, so the URLs it prints stay readable.
 */
export async function demo(): Promise<void> {
  const env = readEnv();
  const redis = env.REDIS_URL ? undefined : await startEmbeddedRedis();
  const config = loadConfig({
    LOG_LEVEL: 'warn',
    ...env,
    ...(redis ? { REDIS_URL: redis.url } : {}),
  });
  const log = createLogger(config.logLevel);
  let running: Awaited<ReturnType<typeof startProcess>>;
  try {
    running = await startProcess(config, 'all', log);
  } catch (error) {
    await redis?.stop();
    throw error;
  }
  const base = `http://${config.http.host.includes(':') ? `[${config.http.host}]` : config.http.host}:${running.port}`;
  const lines = [
    '',
    'Coxswain demo is running.',
    '',
    `  Web console           ${base}/`,
    `  Alertmanager webhook  ${base}/alerts/alertmanager`,
    `  Redis                 ${redis ? `embedded redis-server on port ${redis.port} (pid ${redis.pid}), nothing kept on disk` : 'REDIS_URL'}`,
    '',
    '  Send a test alert:',
    `    curl -H 'content-type: application/json' --data @test/fixtures/alertmanager/firing.json ${base}/alerts/alertmanager`,
    '',
    'Press Ctrl-C to stop.',
    '',
  ];
  process.stdout.write(lines.join('\n'));
  exitOnSignal(log, async () => {
    process.stdout.write('Stopping Coxswain demo…\n');
    await running.stop();
    await redis?.stop();
    process.stdout.write('Stopped.\n');
  });
}
