import { type ChildProcess, spawn } from 'node:child_process';
import { accessSync, constants, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join, resolve } from 'node:path';
import { parse, stringify } from 'yaml';
import { CoxswainError } from '../errors.ts';
import { freePort, stopChild } from './embedded-redis.ts';

/**
 * A real Prometheus and Alertmanager on this machine (Debian's `prometheus` and
 * `prometheus-alertmanager`), set up from the shipped `deploy/prometheus/` files: Prometheus
 * scrapes one metrics endpoint (the sandbox's) with the shipped rules and sends to the
 * Alertmanager, which routes every group to a Coxswain webhook with its credentials. Both listen on
 * free loopback ports and keep their data in a temporary folder that goes when they stop. The
 * demo starts them; the tests and the benchmarks too, some with shorter intervals.
 */
export const SHIPPED_DIR = resolve(import.meta.dirname, '../../deploy/prometheus');
export const SHIPPED_RULES = join(SHIPPED_DIR, 'kubernetes-alerts.yml');
export const MONITORING_BINARIES = ['prometheus', 'prometheus-alertmanager'] as const;

export type Webhook = {
  url: string;
  /** Sent as `Authorization: Bearer …` (ALERTMANAGER_TOKEN). */
  token?: string | undefined;
  /** Sent as basic credentials (ALERTMANAGER_USERNAME and ALERTMANAGER_PASSWORD). */
  basic?: { username: string; password: string } | undefined;
};

/** Durations as Prometheus writes them (`30s`, `5m`); unset ones stay as the shipped files say. */
export type Intervals = {
  scrape?: string;
  evaluation?: string;
  groupWait?: string;
  groupInterval?: string;
  repeatInterval?: string;
  /** How often Prometheus resends a firing alert (its default is 1m). */
  resendDelay?: string;
};

export type MonitoringSetup = {
  /** `host:port` of the metrics endpoint to scrape. */
  target: string;
  webhook: Webhook;
  /** The rules as YAML text; the shipped ones by default. */
  rules?: string;
  intervals?: Intervals;
  /** Ports chosen beforehand (`freePort`), when their URLs are needed before the start. */
  ports?: { prometheus: number; alertmanager: number };
};

export type LocalMonitoring = {
  prometheusUrl: string;
  alertmanagerUrl: string;
  stop(): Promise<void>;
};

const READY_TIMEOUT_MS = 20_000;

/** The binaries the PATH lacks. */
export function missingMonitoringBinaries(path = process.env.PATH ?? ''): string[] {
  const found = (name: string) =>
    path.split(delimiter).some((dir) => {
      try {
        accessSync(join(dir, name), constants.X_OK);
        return true;
      } catch {
        return false;
      }
    });
  return MONITORING_BINARIES.filter((name) => !found(name));
}

export async function startLocalMonitoring(setup: MonitoringSetup): Promise<LocalMonitoring> {
  const dir = mkdtempSync(join(tmpdir(), 'coxswain-monitoring-'));
  const children: ChildProcess[] = [];
  const killOnExit = () => {
    for (const child of children) child.kill('SIGKILL');
  };
  process.on('exit', killOnExit);
  const stop = async () => {
    process.off('exit', killOnExit);
    await Promise.all(children.map(stopChild));
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    const [prometheusPort, alertmanagerPort] =
      setup.ports === undefined
        ? await Promise.all([freePort(), freePort()])
        : [setup.ports.prometheus, setup.ports.alertmanager];
    const prometheusUrl = `http://127.0.0.1:${prometheusPort}`;
    const alertmanagerUrl = `http://127.0.0.1:${alertmanagerPort}`;
    writeConfigs(dir, setup, alertmanagerPort);
    const alertmanager = launch('prometheus-alertmanager', [
      `--config.file=${join(dir, 'alertmanager.yml')}`,
      `--storage.path=${join(dir, 'alertmanager')}`,
      `--web.listen-address=127.0.0.1:${alertmanagerPort}`,
      // Links in alerts (silence, source) point here, not at this machine's host name.
      `--web.external-url=${alertmanagerUrl}`,
      // One Alertmanager alone: no gossip port to clash with another.
      '--cluster.listen-address=',
      '--log.level=warn',
    ]);
    children.push(alertmanager.child);
    await ready(alertmanager, `${alertmanagerUrl}/-/ready`);
    const prometheus = launch('prometheus', [
      `--config.file=${join(dir, 'prometheus.yml')}`,
      `--storage.tsdb.path=${join(dir, 'prometheus')}`,
      `--web.listen-address=127.0.0.1:${prometheusPort}`,
      `--web.external-url=${prometheusUrl}`,
      `--rules.alert.resend-delay=${setup.intervals?.resendDelay ?? '1m'}`,
      '--log.level=warn',
    ]);
    children.push(prometheus.child);
    await ready(prometheus, `${prometheusUrl}/-/ready`);
    return { prometheusUrl, alertmanagerUrl, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

type Shipped = Record<string, unknown>;

/** The shipped files with this machine's ports, rules, webhook and intervals. */
export function writeConfigs(dir: string, setup: MonitoringSetup, alertmanagerPort: number): void {
  const intervals = setup.intervals ?? {};
  writeFileSync(join(dir, 'rules.yml'), setup.rules ?? readFileSync(SHIPPED_RULES, 'utf8'));
  const prometheus = parse(readFileSync(join(SHIPPED_DIR, 'prometheus.yml'), 'utf8')) as Shipped;
  const global = (prometheus.global ?? {}) as Shipped;
  prometheus.global = {
    ...global,
    ...(intervals.scrape === undefined ? {} : { scrape_interval: intervals.scrape }),
    ...(intervals.evaluation === undefined ? {} : { evaluation_interval: intervals.evaluation }),
  };
  prometheus.rule_files = [join(dir, 'rules.yml')];
  const scrapes = (prometheus.scrape_configs ?? []) as Shipped[];
  prometheus.scrape_configs = scrapes.map((scrape) => ({
    ...scrape,
    static_configs: [{ targets: [setup.target] }],
  }));
  prometheus.alerting = {
    alertmanagers: [{ static_configs: [{ targets: [`127.0.0.1:${alertmanagerPort}`] }] }],
  };
  writeFileSync(join(dir, 'prometheus.yml'), stringify(prometheus));
  writeFileSync(join(dir, 'alertmanager.yml'), stringify(alertmanagerConfig(dir, setup)), {
    mode: 0o600,
  });
}

/**
 * The shipped routing, every receiver sending to the webhook. Credentials go in files only
 * Alertmanager reads (mode 0600), never on its command line or in its configuration.
 */
function alertmanagerConfig(dir: string, setup: MonitoringSetup): Shipped {
  const shipped = parse(readFileSync(join(SHIPPED_DIR, 'alertmanager.yml'), 'utf8')) as Shipped;
  const intervals = setup.intervals ?? {};
  const route = (shipped.route ?? {}) as Shipped;
  shipped.route = {
    ...route,
    ...(intervals.groupWait === undefined ? {} : { group_wait: intervals.groupWait }),
    ...(intervals.groupInterval === undefined ? {} : { group_interval: intervals.groupInterval }),
    ...(intervals.repeatInterval === undefined
      ? {}
      : { repeat_interval: intervals.repeatInterval }),
  };
  const http_config = webhookCredentials(dir, setup.webhook);
  const receivers = (shipped.receivers ?? []) as Shipped[];
  shipped.receivers = receivers.map((receiver) => ({
    ...receiver,
    webhook_configs: ((receiver.webhook_configs ?? []) as Shipped[]).map((hook) => ({
      ...hook,
      url: setup.webhook.url,
      ...(http_config === undefined ? {} : { http_config }),
    })),
  }));
  return shipped;
}

function webhookCredentials(dir: string, webhook: Webhook): Shipped | undefined {
  const secret = (name: string, value: string) => {
    const file = join(dir, name);
    writeFileSync(file, value, { mode: 0o600 });
    return file;
  };
  if (webhook.token !== undefined)
    return {
      authorization: { type: 'Bearer', credentials_file: secret('webhook-token', webhook.token) },
    };
  if (webhook.basic !== undefined)
    return {
      basic_auth: {
        username: webhook.basic.username,
        password_file: secret('webhook-password', webhook.basic.password),
      },
    };
  return undefined;
}

type Launched = { name: string; child: ChildProcess; stderr: () => string; failed: Promise<never> };

/** In its own process group, so that Ctrl-C reaches the demo only, which stops it in order. */
function launch(name: string, args: string[]): Launched {
  const child = spawn(name, args, { detached: true, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-2_000);
  });
  const failed = new Promise<never>((_, reject) => {
    child.once('error', (error: NodeJS.ErrnoException) =>
      reject(
        new CoxswainError(
          'monitoring_failed',
          error.code === 'ENOENT'
            ? `${name} was not found on PATH (apt-get install prometheus prometheus-alertmanager)`
            : `${name} could not start: ${error.message}`,
          { cause: error },
        ),
      ),
    );
    child.once('exit', (code) =>
      reject(
        new CoxswainError(
          'monitoring_failed',
          `${name} exited with code ${code}: ${stderr.trim()}`,
        ),
      ),
    );
  });
  failed.catch(() => undefined);
  return { name, child, stderr: () => stderr, failed };
}

async function ready(launched: Launched, url: string): Promise<void> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  let gaveUp = false;
  const polled = (async () => {
    while (!gaveUp && Date.now() < deadline) {
      try {
        if ((await fetch(url, { signal: AbortSignal.timeout(1_000) })).ok) return;
      } catch {
        // Not listening yet.
      }
      await new Promise((done) => setTimeout(done, 100));
    }
    throw new CoxswainError(
      'monitoring_failed',
      `${launched.name} was not ready within ${READY_TIMEOUT_MS / 1000} s: ${launched.stderr().trim()}`,
    );
  })();
  polled.catch(() => undefined);
  try {
    await Promise.race([polled, launched.failed]);
  } finally {
    gaveUp = true;
  }
}
