import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parse, stringify } from 'yaml';
import { freePort, stopChild } from '../../src/runtime/embedded-redis.ts';
import { eventually } from './sandbox.ts';

export const RULES_FILE = resolve(
  import.meta.dirname,
  '../../deploy/prometheus/kubernetes-alerts.yml',
);

export type TestPrometheus = { url: string; stop(): Promise<void> };

type Rules = { groups: { name: string; rules: { alert: string; for?: string }[] }[] };

/**
 * The real `prometheus` binary on a free port, scraping `target` (host:port of a sandbox's
 * metrics) every second under the job the shipped rules select, and evaluating those rules every
 * second with their `for` waits cut to `forDuration`: the expressions are the shipped ones.
 */
export async function startPrometheus(target: string, forDuration = '0s'): Promise<TestPrometheus> {
  const dir = mkdtempSync(join(tmpdir(), 'coxswain-prometheus-'));
  const rules = parse(readFileSync(RULES_FILE, 'utf8')) as Rules;
  for (const group of rules.groups) for (const rule of group.rules) rule.for = forDuration;
  writeFileSync(join(dir, 'rules.yml'), stringify(rules));
  writeFileSync(
    join(dir, 'prometheus.yml'),
    stringify({
      global: { scrape_interval: '1s', evaluation_interval: '1s' },
      rule_files: [join(dir, 'rules.yml')],
      scrape_configs: [
        {
          job_name: 'kube-state-metrics',
          honor_labels: true,
          static_configs: [{ targets: [target] }],
        },
      ],
    }),
  );
  const port = await freePort();
  const child: ChildProcess = spawn(
    'prometheus',
    [
      `--config.file=${join(dir, 'prometheus.yml')}`,
      `--storage.tsdb.path=${join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--log.level=warn',
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4_000);
  });
  const spawnError = new Promise<never>((_, reject) =>
    child.once('error', (error) =>
      reject(
        new Error(`prometheus could not start (apt-get install prometheus): ${error.message}`),
      ),
    ),
  );
  const url = `http://127.0.0.1:${port}`;
  const stop = async () => {
    await stopChild(child);
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await Promise.race([
      spawnError,
      eventually(
        async () => ((await fetch(`${url}/-/ready`)).ok ? true : undefined),
        15_000,
        `prometheus ready (${stderr})`,
      ),
    ]);
  } catch (error) {
    await stop();
    throw error;
  }
  return { url, stop };
}

/** An instant query's vector result. */
export async function query(
  url: string,
  promql: string,
): Promise<{ metric: Record<string, string>; value: [number, string] }[]> {
  const response = await fetch(`${url}/api/v1/query?query=${encodeURIComponent(promql)}`);
  const body = (await response.json()) as { status: string; error?: string; data?: { result: [] } };
  if (body.status !== 'success') throw new Error(`query ${promql}: ${body.error}`);
  return body.data?.result ?? [];
}

export type FiringAlert = { labels: Record<string, string>; state: string };

export async function alerts(url: string): Promise<FiringAlert[]> {
  const body = (await (await fetch(`${url}/api/v1/alerts`)).json()) as {
    data: { alerts: FiringAlert[] };
  };
  return body.data.alerts;
}
