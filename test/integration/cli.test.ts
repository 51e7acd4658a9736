import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { type CliRun, childPids, isAlive, runCli } from '../support/cli.ts';
import { alertFixture } from '../support/fixtures.ts';
import { dropPrefix, testPrefix, testRedisUrl } from '../support/redis.ts';
import { SseClient } from '../support/sse.ts';

let run: CliRun | undefined;

afterEach(async () => {
  // A test that failed midway leaves the CLI running: Ctrl-C first, so the demo stops the
  // children it started in their own process groups, then SIGKILL if it does not end.
  if (run !== undefined && run.child.exitCode === null) {
    const ending = run.exited;
    run.child.kill('SIGINT');
    const ended = await Promise.race([
      ending.then(() => true),
      new Promise<boolean>((resolve) => setTimeout(() => resolve(false), 10_000)),
    ]);
    if (!ended) run.child.kill('SIGKILL');
    await ending;
  }
  run = undefined;
});

describe('coxswain demo', () => {
  it('starts its own Redis, Prometheus and Alertmanager, serves the console and stops cleanly on Ctrl-C leaving no child', async () => {
    run = runCli(['demo'], { REDIS_URL: undefined, PORT: '0' });
    const [, consoleUrl] = await run.waitFor(/Web console\s+(http:\/\/127\.0\.0\.1:\d+\/)/, 30_000);
    const [, webhookUrl] = await run.waitFor(/Alertmanager webhook\s+(\S+)/);
    const [, metricsUrl] = await run.waitFor(
      /Prometheus metrics\s+(http:\/\/127\.0\.0\.1:\d+\/metrics)/,
    );
    const [, prometheusUrl] = await run.waitFor(/Prometheus\s+(http:\/\/127\.0\.0\.1:\d+)\/ /);
    const [, alertmanagerUrl] = await run.waitFor(/Alertmanager\s+(http:\/\/127\.0\.0\.1:\d+)\//);
    const pid = run.child.pid ?? 0;
    const children = childPids(pid);

    const page = await fetch(consoleUrl ?? '');
    const metrics = await (await fetch(metricsUrl ?? '')).text();
    const alert = await fetch(webhookUrl ?? '', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(alertFixture('firing')),
    });
    const scraping = (await (await fetch(`${prometheusUrl}/api/v1/status/config`)).json()) as {
      data: { yaml: string };
    };
    const rules = await (await fetch(`${prometheusUrl}/api/v1/rules`)).text();
    const routing = (await (await fetch(`${alertmanagerUrl}/api/v2/status`)).json()) as {
      config: { original: string };
    };
    // The page the demo prints for Prometheus opens (Debian's build redirects it to its UI).
    const ui = await fetch(`${prometheusUrl}/`);
    run.child.kill('SIGINT');
    const code = await run.exited;

    expect(page.status).toBe(200);
    expect(ui.status).toBe(200);
    expect(metrics).toMatch(
      /^kube_pod_container_status_waiting_reason\{namespace="payments",.*reason="CrashLoopBackOff"\} 1$/m,
    );
    expect(alert.status).toBe(202);
    expect(scraping.data.yaml).toMatch(
      new RegExp(`job_name: kube-state-metrics[\\s\\S]*- ${new URL(metricsUrl ?? '').host}\\n`),
    );
    expect(rules).toContain('"name":"KubePodCrashLooping"');
    expect(routing.config.original).toContain(`url: ${webhookUrl}`);
    // redis-server, prometheus and prometheus-alertmanager.
    expect(children).toHaveLength(3);
    expect(code).toBe(0);
    expect(children.filter(isAlive)).toEqual([]);
    expect(run.stdout()).toContain('Stopped.');
    expect(run.stderr()).not.toContain('Error');
  }, 60_000);
});

describe('coxswain demo stopped while it starts', () => {
  it('stops what it had started, leaving no child and no folder', async () => {
    const demoFolders = () =>
      readdirSync(tmpdir()).filter((name) => name.startsWith('coxswain-demo-'));
    const before = demoFolders();
    run = runCli(['demo'], { REDIS_URL: undefined, PORT: '0' });
    const pid = run.child.pid ?? 0;
    // Ctrl-C as soon as the first child (its Redis) runs, before the demo says it is running.
    let children: number[] = [];
    const deadline = Date.now() + 30_000;
    while (children.length === 0 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      children = childPids(pid);
    }
    run.child.kill('SIGINT');
    const code = await run.exited;

    expect(children.length).toBeGreaterThan(0);
    expect(code).toBe(0);
    expect(children.filter(isAlive)).toEqual([]);
    expect(childPids(1).filter((p) => children.includes(p))).toEqual([]);
    expect(run.stdout()).toContain('Stopped.');
    expect(demoFolders().filter((name) => !before.includes(name))).toEqual([]);
  }, 60_000);
});

describe('coxswain demo without Prometheus and Alertmanager', () => {
  it('runs on its sandbox cluster and answers diagnose and a question in #ops', async () => {
    // A PATH with redis-server alone: no Prometheus, no Alertmanager.
    const bin = mkdtempSync(join(tmpdir(), 'coxswain-demo-path-'));
    symlinkSync(
      execFileSync('which', ['redis-server'], { encoding: 'utf8' }).trim(),
      join(bin, 'redis-server'),
    );
    run = runCli(['demo'], {
      REDIS_URL: undefined,
      PORT: '0',
      COXSWAIN_CONFIG: undefined,
      ANTHROPIC_API_KEY: undefined,
      PATH: bin,
    });
    const [, consoleUrl = ''] = await run.waitFor(/Web console\s+(http:\/\/127\.0\.0\.1:\d+\/)/);
    const [noMonitoring] = await run.waitFor(/^ +Prometheus +not started.*$/m);
    await run.waitFor(/Sandbox cluster\s+http:\/\/127\.0\.0\.1:\d+ \(healthy, oom-crashloop/);
    const stream = await SseClient.connect(`${consoleUrl}api/stream?channel=ops`);

    const posted = await fetch(`${consoleUrl}api/channels/ops/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ text: 'diagnose -n payments', author: 'newcomer' }),
    });
    const reply = await stream.next((e) => e.event === 'message' && JSON.parse(e.data).bot, 20_000);
    await fetch(`${consoleUrl}api/channels/ops/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ text: '@coxswain why is payments crashlooping?', author: 'newcomer' }),
    });
    const answer = await stream.next(
      (e) =>
        e.event === 'message' &&
        (JSON.parse(e.data).message.footer ?? '') === 'asked by newcomer · analyzers, no model',
      20_000,
    );
    // The demo's walk-through: approve the memory increase on its card, see it applied.
    const card = await stream.next(
      (e) => e.event === 'message' && e.data.includes('"action":"approve"'),
      20_000,
    );
    const approved = await fetch(`${consoleUrl}api/channels/ops/clicks`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ entry: JSON.parse(card.data).id, button: 0, author: 'web-user' }),
    });
    const done = await stream.next(
      (e) =>
        e.event === 'message' &&
        (JSON.parse(e.data).message.headline ?? '').startsWith('Done: set memory'),
      60_000,
    );
    await stream.close();
    run.child.kill('SIGINT');
    const code = await run.exited;

    expect(approved.status).toBe(202);
    expect(done.data).toContain('Rollout complete');
    expect(posted.status).toBe(201);
    expect(reply.data).toContain('killed for running out of memory');
    expect(reply.data).toContain('Proposed fix (confirm tier)');
    expect(run.stdout()).toContain('@coxswain why is payments crashlooping?');
    expect(answer.data).toContain('OOMKilled, exit code 137');
    expect(answer.data).toContain('no model is configured');
    expect(noMonitoring).toContain(
      'not started (prometheus and prometheus-alertmanager not on the PATH): apt-get install prometheus prometheus-alertmanager',
    );
    expect(code).toBe(0);
    rmSync(bin, { recursive: true, force: true });
  }, 120_000);
});

describe('coxswain demo that cannot start', () => {
  it('leaves its webhook open only on a loopback HOST', async () => {
    run = runCli(['demo'], {
      REDIS_URL: undefined,
      PORT: '0',
      HOST: '0.0.0.0',
      ALERTMANAGER_TOKEN: undefined,
      ALERTMANAGER_USERNAME: undefined,
      ALERTMANAGER_AUTH: undefined,
    });

    const code = await run.exited;

    expect(code).toBe(1);
    expect(run.stderr()).toContain('the Alertmanager webhook has no credentials');
  }, 60_000);

  it('says which Debian package to install without redis-server', async () => {
    run = runCli(['demo'], { REDIS_URL: undefined, PORT: '0', PATH: '/nonexistent' });

    const code = await run.exited;

    expect(code).toBe(1);
    expect(run.stderr()).toContain(
      "redis-server was not found on PATH: install Debian's redis-server package (apt-get install redis-server), or set REDIS_URL",
    );
  });
});

describe('coxswain all', () => {
  it('stops on SIGTERM with exit code 0', async () => {
    const prefix = testPrefix();
    run = runCli(['all'], {
      REDIS_URL: testRedisUrl(),
      REDIS_PREFIX: prefix,
      PORT: '0',
      WORKER_PORT: '0',
      ALERTMANAGER_AUTH: 'none',
    });
    const [, port] = await run.waitFor(/"role":"all".*"port":(\d+).*"msg":"listening"/);

    const ready = await fetch(`http://127.0.0.1:${port}/readyz`);
    run.child.kill('SIGTERM');
    const code = await run.exited;
    await dropPrefix(testRedisUrl(), prefix);

    expect(ready.status).toBe(200);
    expect(code).toBe(0);
    expect(run.stdout()).toContain('"msg":"stopped"');
  });
});

describe('coxswain worker', () => {
  it('serves health and metrics on WORKER_PORT and not the console', async () => {
    const prefix = testPrefix();
    run = runCli(['worker'], { REDIS_URL: testRedisUrl(), REDIS_PREFIX: prefix, WORKER_PORT: '0' });
    const [, port] = await run.waitFor(/"role":"worker".*"port":(\d+)/);

    const ready = await fetch(`http://127.0.0.1:${port}/readyz`);
    const metrics = await fetch(`http://127.0.0.1:${port}/metrics`);
    const console = await fetch(`http://127.0.0.1:${port}/`);
    run.child.kill('SIGTERM');
    await run.exited;
    await dropPrefix(testRedisUrl(), prefix);

    expect(ready.status).toBe(200);
    expect(metrics.status).toBe(200);
    expect(console.status).toBe(404);
  });
});

describe('start-up errors', () => {
  it('stops at start naming the variable and reason, never the value', async () => {
    run = runCli(['bot'], { REDIS_URL: 'http://admin:hunter2@redis.internal', PORT: '99999' });

    const code = await run.exited;

    expect(code).toBe(1);
    expect(run.stderr()).toContain('REDIS_URL: must be a redis:// or rediss:// URL');
    expect(run.stderr()).toContain('PORT: must be between 0 and 65535');
    expect(run.stderr()).not.toContain('hunter2');
    expect(run.stderr()).not.toContain('99999');
  });

  it('exits when the worker side of `all` cannot start, after the bot side had', async () => {
    const prefix = testPrefix();
    const prompts = mkdtempSync(join(tmpdir(), 'coxswain-no-prompts-'));
    run = runCli(['all'], {
      REDIS_URL: testRedisUrl(),
      REDIS_PREFIX: prefix,
      PORT: '0',
      WORKER_PORT: '0',
      ALERTMANAGER_AUTH: 'none',
      PROMPTS_DIR: prompts,
    });

    const code = await run.exited;
    rmSync(prompts, { recursive: true });
    await dropPrefix(testRedisUrl(), prefix);

    expect(code).toBe(1);
    expect(run.stderr()).toContain('no agent files');
  });

  it('refuses to serve the Alertmanager webhook without credentials unless told to', async () => {
    run = runCli(['bot'], {
      REDIS_URL: testRedisUrl(),
      PORT: '0',
      ALERTMANAGER_TOKEN: undefined,
      ALERTMANAGER_USERNAME: undefined,
      ALERTMANAGER_PASSWORD: undefined,
      ALERTMANAGER_AUTH: undefined,
    });

    const code = await run.exited;

    expect(code).toBe(1);
    expect(run.stderr()).toContain(
      'the Alertmanager webhook has no credentials: set ALERTMANAGER_TOKEN',
    );
    expect(run.stderr()).toContain('ALERTMANAGER_AUTH=none');
  });

  it('refuses an unknown command with the usage', async () => {
    run = runCli(['sail']);

    expect(await run.exited).toBe(2);
    expect(run.stderr()).toContain('unknown command "sail"');
    expect(run.stderr()).toContain('Usage: coxswain <command>');
  });
});
