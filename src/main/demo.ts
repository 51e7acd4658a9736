import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { type EnvSource, loadConfig, readEnv } from '../config/index.ts';
import { isLoopback } from '../dashboard/web-access.ts';
import { createLogger } from '../observability/logger.ts';
import { startEmbeddedRedis } from '../runtime/embedded-redis.ts';
import { exitOnSignal } from '../runtime/shutdown.ts';
import { DEMO_SCENARIOS } from '../sandbox/demo-scenarios.ts';
import { type Sandbox, startSandbox } from '../sandbox/start-sandbox.ts';
import { startProcess } from './start-process.ts';

/** Console channels the demo binds to the sandbox, so commands work there at once. */
const DEMO_CHANNELS = ['web:ops', 'web:alerts'];

/**
 * `coxswain demo`: the whole product in one process on port 8080, on the sandbox cluster, with
 * its own Redis unless REDIS_URL names one. Quiet logs, so the URLs it prints stay readable.
 */
export async function demo(): Promise<void> {
  const env = readEnv();
  const dir = mkdtempSync(join(tmpdir(), 'coxswain-demo-'));
  let sandbox: Sandbox | undefined;
  let redis: Awaited<ReturnType<typeof startEmbeddedRedis>> | undefined;
  const cleanUp = async () => {
    await sandbox?.close();
    await redis?.stop();
    rmSync(dir, { recursive: true, force: true });
  };
  let config: ReturnType<typeof loadConfig>;
  try {
    sandbox = await startSandbox({ scenarios: DEMO_SCENARIOS, metricsPort: 0 });
    const kubeconfig = join(dir, 'kubeconfig');
    sandbox.writeKubeconfig(kubeconfig);
    const configFile = env.COXSWAIN_CONFIG || writeDemoConfig(dir, kubeconfig);
    redis = env.REDIS_URL ? undefined : await startEmbeddedRedis();
    config = loadConfig({
      LOG_LEVEL: 'warn',
      AUDIT_DIR: join(dir, 'audit'),
      ...env,
      ...openWebhookOnLoopback(env),
      COXSWAIN_CONFIG: configFile,
      ...(redis ? { REDIS_URL: redis.url } : {}),
      ...demoPublicUrl(env),
    });
  } catch (error) {
    await cleanUp();
    throw error;
  }
  // The demo's console is the one place where the name typed is trusted (from this machine only).
  config = Object.freeze({
    ...config,
    dashboard: Object.freeze({ ...config.dashboard, trustLocalNames: true }),
  });
  const log = createLogger(config.logLevel);
  let running: Awaited<ReturnType<typeof startProcess>>;
  try {
    running = await startProcess(config, 'all', log);
  } catch (error) {
    await cleanUp();
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
    `  Sandbox cluster       ${sandbox.url} (${DEMO_SCENARIOS.join(', ')})`,
    `  Prometheus metrics    ${sandbox.metricsUrl ?? ''}   (scrape config and rules: deploy/prometheus/)`,
    `  kubectl               KUBECONFIG=${join(dir, 'kubeconfig')} kubectl get pods -A`,
    '',
    `  In the console's #ops channel (${base}/#ops), type:  status  (then click Diagnose payments)   or   help`,
    `  or ask:  @coxswain why is payments crashlooping?${config.anthropic.apiKey === undefined ? '   (answered by the analyzers: ANTHROPIC_API_KEY is not set)' : ''}`,
    '  then click Approve on the proposed memory increase, and watch the pods recover:',
    `    KUBECONFIG=${join(dir, 'kubeconfig')} kubectl get pods -n payments -w`,
    `  Dashboard             ${base}/dashboard   (pending proposals, history, workflows)`,
    `  Stop every write      REDIS_URL=${redis ? redis.url : '$REDIS_URL'} npx coxswain suspend --reason "…"   (and: … npx coxswain resume)`,
    '',
    '  Send a test alert (it starts the pod-crashloop workflow in #alerts):',
    `    curl -H 'content-type: application/json' --data @test/fixtures/alertmanager/firing.json ${base}/alerts/alertmanager`,
    '  Run a workflow in #ops:  workflow cluster-health-check   or   workflow rollback-app app=orders-api namespace=orders',
    '',
    'Press Ctrl-C to stop.',
    '',
  ];
  process.stdout.write(lines.join('\n'));
  exitOnSignal(log, async () => {
    process.stdout.write('Stopping Coxswain demo…\n');
    await running.stop();
    await cleanUp();
    process.stdout.write('Stopped.\n');
  });
}

/**
 * The demo's webhook takes alerts without credentials (its curl line sends none), but only when
 * it listens on this machine alone; on any other HOST it needs ALERTMANAGER_TOKEN like `all`.
 * What the environment says about the webhook wins.
 */
function openWebhookOnLoopback(env: EnvSource): EnvSource {
  const chosen = [env.ALERTMANAGER_AUTH, env.ALERTMANAGER_TOKEN, env.ALERTMANAGER_USERNAME];
  const credentials = chosen.some((value) => (value ?? '') !== '');
  const loopback = isLoopback(env.HOST || '127.0.0.1');
  return credentials || !loopback ? {} : { ALERTMANAGER_AUTH: 'none' };
}

function writeDemoConfig(dir: string, kubeconfig: string): string {
  const file = join(dir, 'coxswain.yaml');
  const config = {
    clusters: [{ name: 'sandbox', kubeconfig }],
    bindings: DEMO_CHANNELS.map((channel) => ({
      channel,
      clusters: ['sandbox'],
      namespaces: ['*'],
      maxTier: 'confirm',
      // On the demo's loopback console the name typed is trusted: anyone there may approve,
      // their own proposals too.
      approvers: ['web:web-user', 'web:sre'],
      allowSelfApproval: true,
    })),
    // Alerts, and the workflows they start, report in #alerts.
    routes: [{ match: {}, channels: ['web:alerts'] }],
  };
  writeFileSync(file, stringify(config));
  return file;
}

/** Links on cards point at the demo's own console unless PUBLIC_URL says otherwise. */
function demoPublicUrl(env: Readonly<Record<string, string | undefined>>): { PUBLIC_URL?: string } {
  const port = env.PORT || '8080';
  if (env.PUBLIC_URL || port === '0') return {};
  const host = env.HOST || '127.0.0.1';
  return { PUBLIC_URL: `http://${host.includes(':') ? `[${host}]` : host}:${port}` };
}
