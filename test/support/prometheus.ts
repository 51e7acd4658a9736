import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, stopChild } from '../../src/runtime/embedded-redis.ts';

/**
 * A real Prometheus (Debian's `prometheus`) and Alertmanager (`prometheus-alertmanager`) on free
 * ports, with their data in a temporary folder: Prometheus scrapes itself every second, a target
 * that is down, and evaluates the given rules every second, sending alerts to the Alertmanager.
 */
export type Monitoring = {
  prometheusUrl: string;
  alertmanagerUrl: string;
  prometheusPort: number;
  stop(): Promise<void>;
};

export async function startMonitoring(rules: string): Promise<Monitoring> {
  const dir = mkdtempSync(join(tmpdir(), 'cx-prom-'));
  const [prometheusPort, alertmanagerPort, closedPort] = await Promise.all([
    freePort(),
    freePort(),
    freePort(),
  ]);
  writeFileSync(join(dir, 'rules.yml'), rules);
  writeFileSync(
    join(dir, 'prometheus.yml'),
    `global: { scrape_interval: 1s, evaluation_interval: 1s }
rule_files: [${join(dir, 'rules.yml')}]
alerting:
  alertmanagers: [{ static_configs: [{ targets: ['127.0.0.1:${alertmanagerPort}'] }] }]
scrape_configs:
  - job_name: prometheus
    static_configs: [{ targets: ['127.0.0.1:${prometheusPort}'] }]
  - job_name: gone
    static_configs: [{ targets: ['127.0.0.1:${closedPort}'] }]
`,
  );
  writeFileSync(
    join(dir, 'alertmanager.yml'),
    `route: { receiver: nobody, group_wait: 0s, group_interval: 1s }
receivers: [{ name: nobody }]
`,
  );
  const children: ChildProcess[] = [
    spawn(
      'prometheus',
      [
        `--config.file=${join(dir, 'prometheus.yml')}`,
        `--storage.tsdb.path=${join(dir, 'data')}`,
        `--web.listen-address=127.0.0.1:${prometheusPort}`,
        // The first alerts go out before the Alertmanager is discovered (about 5 s) and are
        // dropped; resent every second, they arrive without waiting the default minute.
        '--rules.alert.resend-delay=1s',
      ],
      { stdio: 'ignore' },
    ),
    spawn(
      'prometheus-alertmanager',
      [
        `--config.file=${join(dir, 'alertmanager.yml')}`,
        `--storage.path=${join(dir, 'am')}`,
        `--web.listen-address=127.0.0.1:${alertmanagerPort}`,
        '--cluster.listen-address=',
      ],
      { stdio: 'ignore' },
    ),
  ];
  const monitoring = {
    prometheusUrl: `http://127.0.0.1:${prometheusPort}`,
    alertmanagerUrl: `http://127.0.0.1:${alertmanagerPort}`,
    prometheusPort,
    async stop() {
      await Promise.all(children.map(stopChild));
      rmSync(dir, { recursive: true, force: true });
    },
  };
  try {
    await waitFor(() => ready(`${monitoring.prometheusUrl}/-/ready`), 15_000, 'Prometheus ready');
    await waitFor(
      () => ready(`${monitoring.alertmanagerUrl}/-/ready`),
      15_000,
      'Alertmanager ready',
    );
  } catch (error) {
    await monitoring.stop();
    throw error;
  }
  return monitoring;
}

async function ready(url: string): Promise<boolean> {
  try {
    return (await fetch(url, { signal: AbortSignal.timeout(1_000) })).ok;
  } catch {
    return false;
  }
}

/** Polls until `check` holds, every 200 ms, failing with `what` after `ms`. */
export async function waitFor(check: () => Promise<boolean>, ms: number, what: string) {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`timed out waiting for ${what}`);
}
