import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { type Config, type EnvSource, loadConfig, readEnv } from '../config/index.ts';
import { isLoopback } from '../dashboard/web-access.ts';
import { createLogger } from '../observability/logger.ts';
import { type EmbeddedRedis, startEmbeddedRedis } from '../runtime/embedded-redis.ts';
import type { LocalMonitoring } from '../runtime/local-monitoring.ts';
import { exitOnSignal } from '../runtime/shutdown.ts';
import { DEMO_SCENARIOS } from '../sandbox/demo-scenarios.ts';
import { type Sandbox, startSandbox } from '../sandbox/start-sandbox.ts';
import {
  type DemoMonitoring,
  monitoringEnv,
  monitoringLines,
  planDemoMonitoring,
  startDemoMonitoring,
} from './demo-monitoring.ts';
import { startProcess } from './start-process.ts';

/** Console channels the demo binds to the sandbox, so commands work there at once. */
const DEMO_CHANNELS = ['web:ops', 'web:alerts'];

type DemoParts = {
  sandbox?: Sandbox;
  redis?: EmbeddedRedis;
  monitoring?: LocalMonitoring;
};

/**
 * `coxswain demo`: the whole product in one process on port 8080, on the sandbox cluster, with
 * its own Redis unless REDIS_URL names one, and its own Prometheus and Alertmanager when this
 * machine has them. Quiet logs, so the URLs it prints stay readable.
 */
export async function demo(): Promise<void> {
  const env = readEnv();
  const dir = mkdtempSync(join(tmpdir(), 'coxswain-demo-'));
  const parts: DemoParts = {};
  let running: Awaited<ReturnType<typeof startProcess>> | undefined;
  const cleanUp = async () => {
    await running?.stop();
    await parts.monitoring?.stop();
    await parts.sandbox?.close();
    await parts.redis?.stop();
    rmSync(dir, { recursive: true, force: true });
  };
  const startup = start(env, dir, parts, (started) => {
    running = started;
  });
  // Ctrl-C from the first moment: what has started is stopped once the start settles, so no
  // child (Redis, Prometheus, Alertmanager) outlives the demo.
  exitOnSignal(createLogger('warn'), async () => {
    process.stdout.write('Stopping Coxswain demo…\n');
    await startup.catch(() => undefined);
    await cleanUp();
    process.stdout.write('Stopped.\n');
  });
  try {
    await startup;
  } catch (error) {
    await cleanUp();
    throw error;
  }
}

/** Starts every part, each kept in `parts` (the process in `onRunning`) as it starts. */
async function start(
  env: EnvSource,
  dir: string,
  parts: DemoParts,
  onRunning: (running: Awaited<ReturnType<typeof startProcess>>) => void,
): Promise<void> {
  const prepared = await prepare(env, dir, parts);
  const running = await startProcess(
    prepared.config,
    'all',
    prepared.log,
    parts.redis === undefined ? {} : { redis: 'throwaway' },
  );
  onRunning(running);
  const { config, plan } = prepared;
  const base = `http://${hostForUrl(config.http.host)}:${running.port}`;
  const failure = await startMonitoring(plan, parts, `${base}/alerts/alertmanager`, config);
  const sandbox = parts.sandbox as Sandbox;
  process.stdout.write(
    demoLines({ base, dir, config, sandbox, redis: parts.redis, plan, parts, failure }).join('\n'),
  );
}

/** The sandbox, Redis and the configuration, each part kept in `parts` as it starts. */
async function prepare(env: EnvSource, dir: string, parts: DemoParts) {
  parts.sandbox = await startSandbox({ scenarios: DEMO_SCENARIOS, metricsPort: 0 });
  const kubeconfig = join(dir, 'kubeconfig');
  parts.sandbox.writeKubeconfig(kubeconfig);
  const configFile = env.COXSWAIN_CONFIG || writeDemoConfig(dir, kubeconfig);
  if (!env.REDIS_URL && !env.REDIS_SENTINELS) parts.redis = await startEmbeddedRedis();
  const plan = await planDemoMonitoring();
  const loaded = loadConfig({
    LOG_LEVEL: 'warn',
    AUDIT_DIR: join(dir, 'audit'),
    ...monitoringEnv(plan),
    ...env,
    ...openWebhookOnLoopback(env),
    COXSWAIN_CONFIG: configFile,
    ...(parts.redis ? { REDIS_URL: parts.redis.url } : {}),
    ...demoPublicUrl(env),
  });
  // The demo's console is the one place where the name typed is trusted (from this machine only).
  const config = Object.freeze({
    ...loaded,
    dashboard: Object.freeze({ ...loaded.dashboard, trustLocalNames: true }),
  });
  return { config, plan, log: createLogger(config.logLevel) };
}

/**
 * Starts the planned Prometheus and Alertmanager once the webhook listens; the demo goes on
 * without them when they cannot start, and says why.
 */
async function startMonitoring(
  plan: DemoMonitoring,
  parts: DemoParts,
  webhookUrl: string,
  config: Config,
): Promise<string | undefined> {
  if (plan.kind !== 'planned' || parts.sandbox?.metricsUrl === undefined) return undefined;
  try {
    parts.monitoring = await startDemoMonitoring(
      plan,
      parts.sandbox.metricsUrl,
      webhookUrl,
      config,
    );
    return undefined;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}

function demoLines(shown: {
  base: string;
  dir: string;
  config: Config;
  sandbox: Sandbox;
  redis: EmbeddedRedis | undefined;
  plan: DemoMonitoring;
  parts: DemoParts;
  failure: string | undefined;
}): string[] {
  const { base, dir, config, sandbox, redis } = shown;
  return [
    '',
    'Coxswain demo is running.',
    '',
    `  Web console           ${base}/`,
    `  Alertmanager webhook  ${base}/alerts/alertmanager`,
    `  Redis                 ${redis ? `embedded redis-server on port ${redis.port} (pid ${redis.pid}), nothing kept on disk` : 'REDIS_URL'}`,
    `  Sandbox cluster       ${sandbox.url} (${DEMO_SCENARIOS.join(', ')})`,
    `  Prometheus metrics    ${sandbox.metricsUrl ?? ''}   (scrape config and rules: deploy/prometheus/)`,
    ...monitoringLines(shown.plan, shown.parts.monitoring, shown.failure),
    `  kubectl               KUBECONFIG=${join(dir, 'kubeconfig')} kubectl get pods -A`,
    '',
    `  In the console's #ops channel (${base}/#ops), type:  status  (then click Diagnose payments)   or   help`,
    `  or ask:  @coxswain why is payments crashlooping?${config.anthropic.apiKey === undefined ? '   (answered by the analyzers: ANTHROPIC_API_KEY is not set)' : ''}`,
    "  then click Approve on the proposed memory increase (as web-user, the console's name, or sre),",
    '  and watch the pods recover:',
    `    KUBECONFIG=${join(dir, 'kubeconfig')} kubectl get pods -n payments -w`,
    `  Dashboard             ${base}/dashboard   (pending proposals, history, workflows)`,
    `  Stop every write      REDIS_URL=${redis ? redis.url : '$REDIS_URL'} npx coxswain suspend --reason "…"   (and: … npx coxswain resume)`,
    '',
    '  Send a test alert (it starts the pod-crashloop workflow in #alerts), stamped with the present:',
    `    sed "s/2026-11-21T09:12:40.123Z/$(date -u -d '-5 min' +%FT%TZ)/" test/fixtures/alertmanager/firing.json |`,
    `      curl -H 'content-type: application/json' --data @- ${base}/alerts/alertmanager`,
    '  Run a workflow in #ops:  workflow cluster-health-check   or   workflow rollback-app app=orders-api namespace=orders',
    '',
    'Press Ctrl-C to stop.',
    '',
  ];
}

function hostForUrl(host: string): string {
  return host.includes(':') ? `[${host}]` : host;
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
      // On the demo's loopback console the name typed is trusted: web-user (the console's
      // default name) and sre may approve, their own proposals too; other names may not.
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
