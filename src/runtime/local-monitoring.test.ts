import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { missingMonitoringBinaries, writeConfigs } from './local-monitoring.ts';

const dirs: string[] = [];
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'coxswain-monitoring-test-'));
  dirs.push(dir);
  return dir;
}
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

type Written = {
  global: Record<string, string>;
  rule_files: string[];
  scrape_configs: { job_name: string; static_configs: { targets: string[] }[] }[];
  alerting: { alertmanagers: { static_configs: { targets: string[] }[] }[] };
};
type Routing = {
  route: Record<string, string>;
  receivers: { webhook_configs: Record<string, unknown>[] }[];
};

function written(dir: string) {
  return {
    prometheus: parse(readFileSync(join(dir, 'prometheus.yml'), 'utf8')) as Written,
    alertmanager: parse(readFileSync(join(dir, 'alertmanager.yml'), 'utf8')) as Routing,
    text: readFileSync(join(dir, 'alertmanager.yml'), 'utf8'),
  };
}

describe('the local Prometheus and Alertmanager configuration', () => {
  it('is the shipped one with this machine’s target, Alertmanager and webhook', () => {
    const dir = tempDir();

    writeConfigs(
      dir,
      { target: '127.0.0.1:9464', webhook: { url: 'http://127.0.0.1:8080/alerts/alertmanager' } },
      9093,
    );

    const { prometheus, alertmanager } = written(dir);
    expect(prometheus.global).toEqual({ scrape_interval: '30s', evaluation_interval: '30s' });
    expect(prometheus.scrape_configs.map((s) => [s.job_name, s.static_configs])).toEqual([
      ['kube-state-metrics', [{ targets: ['127.0.0.1:9464'] }]],
    ]);
    expect(prometheus.alerting.alertmanagers[0]?.static_configs).toEqual([
      { targets: ['127.0.0.1:9093'] },
    ]);
    expect(readFileSync(prometheus.rule_files[0] ?? '', 'utf8')).toContain(
      'alert: KubePodCrashLooping',
    );
    expect(alertmanager.route).toMatchObject({ group_wait: '30s', group_interval: '5m' });
    expect(alertmanager.receivers[0]?.webhook_configs).toEqual([
      {
        url: 'http://127.0.0.1:8080/alerts/alertmanager',
        send_resolved: true,
        max_alerts: 50,
      },
    ]);
  });

  it('sends the webhook’s credentials from files only their owner reads, never inline', () => {
    const basicDir = tempDir();
    const tokenDir = tempDir();

    writeConfigs(
      basicDir,
      {
        target: '127.0.0.1:9464',
        webhook: { url: 'http://h/a', basic: { username: 'am', password: 'pw-never-inline' } },
        intervals: { groupWait: '1s', groupInterval: '2s', scrape: '1s' },
      },
      9093,
    );
    writeConfigs(
      tokenDir,
      { target: '127.0.0.1:9464', webhook: { url: 'http://h/a', token: 'token-never-inline' } },
      9093,
    );

    const basic = written(basicDir);
    const token = written(tokenDir);
    const basicAuth = basic.alertmanager.receivers[0]?.webhook_configs[0]?.http_config as {
      basic_auth: { username: string; password_file: string };
    };
    const bearer = token.alertmanager.receivers[0]?.webhook_configs[0]?.http_config as {
      authorization: { type: string; credentials_file: string };
    };
    expect(basic.text).not.toContain('pw-never-inline');
    expect(token.text).not.toContain('token-never-inline');
    expect(basicAuth.basic_auth.username).toBe('am');
    expect(readFileSync(basicAuth.basic_auth.password_file, 'utf8')).toBe('pw-never-inline');
    expect(statSync(basicAuth.basic_auth.password_file).mode & 0o777).toBe(0o600);
    expect(bearer.authorization.type).toBe('Bearer');
    expect(readFileSync(bearer.authorization.credentials_file, 'utf8')).toBe('token-never-inline');
    expect(statSync(bearer.authorization.credentials_file).mode & 0o777).toBe(0o600);
    expect(basic.alertmanager.route).toMatchObject({ group_wait: '1s', group_interval: '2s' });
    expect(basic.prometheus.global).toEqual({ scrape_interval: '1s', evaluation_interval: '30s' });
  });
});

describe('the binaries on the PATH', () => {
  it('names those missing', () => {
    const bin = tempDir();
    writeFileSync(join(bin, 'prometheus'), '#!/bin/sh\n');
    chmodSync(join(bin, 'prometheus'), 0o755);

    expect(missingMonitoringBinaries('/nonexistent')).toEqual([
      'prometheus',
      'prometheus-alertmanager',
    ]);
    expect(missingMonitoringBinaries(`/nonexistent:${bin}`)).toEqual(['prometheus-alertmanager']);
  });
});
