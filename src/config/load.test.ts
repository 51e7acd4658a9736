import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CoxswainError } from '../errors.ts';
import { loadConfig } from './load.ts';

const BASE = { REDIS_URL: 'redis://127.0.0.1:6379' };

function configFile(text: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'coxswain-config-'));
  const path = join(dir, 'coxswain.yaml');
  writeFileSync(path, text);
  return path;
}

function failure(source: Record<string, string>): string {
  try {
    loadConfig(source);
  } catch (error) {
    expect(error).toBeInstanceOf(CoxswainError);
    expect((error as CoxswainError).code).toBe('config_invalid');
    return (error as Error).message;
  }
  throw new Error('expected the configuration to be refused');
}

describe('loadConfig', () => {
  it('applies the documented defaults', () => {
    const config = loadConfig(BASE);

    expect(config.http).toEqual({
      host: '127.0.0.1',
      port: 8080,
      workerPort: 8081,
      allowedHosts: [],
    });
    expect(config.redis.prefix).toBe('coxswain');
    expect(config.logLevel).toBe('info');
    expect(config.alertmanager).toEqual({ token: undefined, basic: undefined, open: false });
    expect(config.worker.concurrency).toBe(100);
    expect(config.shutdownTimeoutMs).toBe(10_000);
    expect(config.routes).toEqual([]);
  });

  it('returns a frozen object', () => {
    const config = loadConfig(BASE);

    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.http)).toBe(true);
  });

  it('names a missing REDIS_URL', () => {
    expect(failure({})).toContain('REDIS_URL: is required');
  });

  it('names the variable and the reason but never the value', () => {
    const message = failure({
      REDIS_URL: 'http://user:hunter2-secret@redis.example',
      PORT: 'eighty-secret',
      ALERTMANAGER_TOKEN: 'short-secret',
    });

    expect(message).toContain('REDIS_URL: must be a redis:// or rediss:// URL');
    expect(message).toContain('PORT: must be a port number');
    expect(message).toContain('ALERTMANAGER_TOKEN: must be at least 16 characters');
    expect(message).not.toMatch(/hunter2|eighty|short-secret/);
  });

  it('reads the metrics sources without their trailing slashes, and refuses one that is not a URL', () => {
    const config = loadConfig({
      ...BASE,
      PROMETHEUS_URL: 'http://prometheus.monitoring:9090/',
      ALERTMANAGER_URL: 'https://alertmanager.example/am',
    });

    const message = failure({ ...BASE, PROMETHEUS_URL: 'prometheus-secret:9090' });

    expect(config.metrics).toEqual({
      prometheusUrl: 'http://prometheus.monitoring:9090',
      alertmanagerUrl: 'https://alertmanager.example/am',
    });
    expect(loadConfig(BASE).metrics).toEqual({
      prometheusUrl: undefined,
      alertmanagerUrl: undefined,
    });
    expect(message).toContain('PROMETHEUS_URL: must be an http(s) URL');
    expect(message).not.toContain('prometheus-secret');
  });

  it("paces chat at the platforms' rate unless told, and refuses a pace that is not a time", () => {
    const chat = {
      ...BASE,
      SLACK_BOT_TOKEN: 'xoxb-0000-test',
      SLACK_SIGNING_SECRET: 'signing-secret-0123',
      DISCORD_TOKEN: 'discord-token-0123456789',
    };

    const paced = loadConfig({ ...chat, SLACK_PACE_MS: '250', DISCORD_PACE_MS: '0' });

    expect(loadConfig(chat).slack?.paceMs).toBeUndefined();
    expect(loadConfig({ ...chat, SLACK_PACE_MS: '' }).slack?.paceMs).toBeUndefined();
    expect([paced.slack?.paceMs, paced.discord?.paceMs]).toEqual([250, 0]);
    expect(failure({ ...chat, SLACK_PACE_MS: 'soon' })).toContain(
      'SLACK_PACE_MS: must be a number of milliseconds',
    );
    expect(failure({ ...chat, DISCORD_PACE_MS: '-1' })).toContain(
      'DISCORD_PACE_MS: must be between 0 and 60000',
    );
    expect(failure({ ...BASE, SLACK_PACE_MS: '250' })).toContain(
      'SLACK_PACE_MS: is set but SLACK_BOT_TOKEN is not',
    );
  });

  it('requires both basic-auth variables or neither', () => {
    expect(failure({ ...BASE, ALERTMANAGER_USERNAME: 'alertmanager' })).toContain(
      'ALERTMANAGER_PASSWORD: is required',
    );
    expect(
      failure({ ...BASE, ALERTMANAGER_USERNAME: 'am', ALERTMANAGER_PASSWORD: 'pw' }),
    ).toContain('ALERTMANAGER_PASSWORD: must be at least 16 characters');
    const config = loadConfig({
      ...BASE,
      ALERTMANAGER_USERNAME: 'am',
      ALERTMANAGER_PASSWORD: 'a-long-basic-password',
    });
    expect(config.alertmanager.basic).toEqual({
      username: 'am',
      password: 'a-long-basic-password',
    });
  });

  it('leaves the webhook open only when ALERTMANAGER_AUTH=none says so, and never beside credentials', () => {
    const open = loadConfig({ ...BASE, ALERTMANAGER_AUTH: 'none' });

    expect(open.alertmanager.open).toBe(true);
    expect(failure({ ...BASE, ALERTMANAGER_AUTH: 'off' })).toContain(
      'ALERTMANAGER_AUTH: must be "none"',
    );
    expect(
      failure({
        ...BASE,
        ALERTMANAGER_AUTH: 'none',
        ALERTMANAGER_TOKEN: 'a-token-of-16-chars-or-more',
      }),
    ).toContain('ALERTMANAGER_AUTH: is "none" but webhook credentials are set');
  });

  it('treats empty variables as unset, as .env files write them', () => {
    const config = loadConfig({ ...BASE, ALERTMANAGER_TOKEN: '', COXSWAIN_CONFIG: '' });

    expect(config.alertmanager.token).toBeUndefined();
    expect(config.configFile).toBeUndefined();
  });

  it('reads routes from the config file', () => {
    const path = configFile(
      'routes:\n  - match: { severity: critical, namespace: { regex: "shop-.*" } }\n    channels: [web:oncall]\n    continue: true\n  - channels: [web:everything]\n',
    );

    const config = loadConfig({ ...BASE, COXSWAIN_CONFIG: path });

    expect(config.routes).toEqual([
      {
        match: { severity: 'critical', namespace: { regex: 'shop-.*' } },
        channels: ['web:oncall'],
        continue: true,
      },
      { match: {}, channels: ['web:everything'], continue: false },
    ]);
    expect(
      failure({
        ...BASE,
        COXSWAIN_CONFIG: configFile(
          'routes:\n  - match: { a: { regex: "(?=x)" } }\n    channels: [web:x]\n',
        ),
      }),
    ).toContain('routes[0].match.a.regex: is not a regular expression (RE2 syntax');
  });

  it('names the file when it is missing', () => {
    expect(failure({ ...BASE, COXSWAIN_CONFIG: '/nonexistent/coxswain.yaml' })).toContain(
      '/nonexistent/coxswain.yaml: file not found',
    );
  });

  it('reports where a YAML syntax error is without quoting the file', () => {
    const path = configFile('routes:\n  - match: { severity: "critical\n');

    const message = failure({ ...BASE, COXSWAIN_CONFIG: path });

    expect(message).toContain(`${path}: not valid YAML at line`);
    expect(message).not.toContain('critical');
  });

  it('names the path of a bad field inside the file', () => {
    const path = configFile('routes:\n  - channels: [web:ok, "not a channel"]\n');

    expect(failure({ ...BASE, COXSWAIN_CONFIG: path })).toContain(
      `${path}: routes[0].channels[1]: must be platform:channel-id`,
    );
  });

  it('refuses unknown keys, which are usually typos', () => {
    const path = configFile('rotues: []\n');

    expect(failure({ ...BASE, COXSWAIN_CONFIG: path })).toContain('rotues');
  });

  it('refuses a route to a platform that is not configured', () => {
    const path = configFile('routes:\n  - channels: [slack:C0ONCALL]\n');

    expect(failure({ ...BASE, COXSWAIN_CONFIG: path })).toContain(
      'routes[0].channels[0]: slack is not configured',
    );
  });

  it('reads the GitOps forge token from the variable the file names, and says when it is unset', () => {
    const file = configFile(
      'gitops:\n  repo: https://github.com/acme/deploy.git\n  path: apps\n  forge: { type: github, url: https://api.github.com/, tokenEnv: GITOPS_TOKEN }\n',
    );

    const config = loadConfig({
      ...BASE,
      COXSWAIN_CONFIG: file,
      GITOPS_TOKEN: 'ghp_abc',
      PATH: '/usr/bin',
    });
    const message = failure({ ...BASE, COXSWAIN_CONFIG: file });

    expect(config.gitops).toMatchObject({
      repo: 'https://github.com/acme/deploy.git',
      branch: 'main',
      path: 'apps',
      forge: { type: 'github', url: 'https://api.github.com', token: 'ghp_abc' },
      env: { PATH: '/usr/bin' },
    });
    expect(message).toContain(`${file}: gitops.forge.tokenEnv: GITOPS_TOKEN is not set`);
  });
});
