import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../src/runtime/embedded-redis.ts';
import { kubeconfigFor } from '../../src/sandbox/start-sandbox.ts';
import { type CliRun, runCli } from '../support/cli.ts';

const dir = mkdtempSync(join(tmpdir(), 'coxswain-cli-cluster-'));
const kubeconfig = join(dir, 'kubeconfig');
let sandbox: CliRun;
const runs: CliRun[] = [];

/** Runs a command to its end and returns what it printed and its exit code. */
async function finish(args: string[], env: Record<string, string | undefined> = {}) {
  const run = runCli(args, { KUBECONFIG: kubeconfig, COXSWAIN_CONFIG: undefined, ...env });
  runs.push(run);
  const code = await run.exited;
  return { code, stdout: run.stdout(), stderr: run.stderr() };
}

beforeAll(async () => {
  sandbox = runCli([
    'sandbox',
    '--port',
    '0',
    '--scenario',
    'oom-crashloop',
    '--scenario',
    'bad-rollout',
    '--kubeconfig',
    kubeconfig,
    '--metrics-port',
    '0',
  ]);
  await sandbox.waitFor(/Kubeconfig written/);
});

afterEach(() => {
  for (const run of runs) if (run.child.exitCode === null) run.child.kill('SIGKILL');
});

afterAll(async () => {
  sandbox.child.kill('SIGINT');
  await sandbox.exited;
});

describe('coxswain sandbox', () => {
  it('serves the API and its metrics, and writes a kubeconfig whose current context is the sandbox', async () => {
    const [, url] = sandbox.stdout().match(/API on (http:\/\/127\.0\.0\.1:\d+)/) ?? [];
    const [, metricsUrl] =
      sandbox.stdout().match(/Prometheus metrics on (http:\/\/127\.0\.0\.1:\d+\/metrics)/) ?? [];

    const version = await fetch(`${url}/version`).then(
      (r) => r.json() as Promise<{ gitVersion: string }>,
    );
    const metrics = await fetch(metricsUrl ?? '').then((r) => r.text());

    expect(version.gitVersion).toContain('sandbox');
    expect(readFileSync(kubeconfig, 'utf8')).toContain('current-context: coxswain-sandbox');
    expect(sandbox.stdout()).toContain('scenarios: oom-crashloop, bad-rollout');
    expect(metrics).toMatch(/^kube_pod_status_phase\{.*namespace="payments".*\} 1$/m);
  });

  it('refuses an unknown scenario, listing the known ones', async () => {
    const result = await finish(['sandbox', '--port', '0', '--scenario', 'meltdown']);

    expect(result.code).toBe(1);
    expect(result.stderr).toContain(
      'unknown scenario "meltdown"; choose from: argocd-out-of-sync, bad-rollout',
    );
  });
});

describe('coxswain status and diagnose', () => {
  it('prints the health of the current context', async () => {
    const result = await finish(['status']);

    expect(result.code).toBe(0);
    expect(result.stdout).toContain('Nodes ready: 4/4');
    expect(result.stdout).toMatch(/payments: 2 CrashLoopBackOff/);
    expect(result.stdout).toContain('rollout of deployment orders-api failed');
  });

  it('diagnoses a namespace: evidence, and the fix with its dry-run diff', async () => {
    const result = await finish(['diagnose', '-n', 'payments']);

    expect(result.code).toBe(0);
    expect(result.stdout).toContain('OOMKilled, exit code 137');
    expect(result.stdout).toContain('Proposed fix (confirm tier): set memory limit 256Mi → 384Mi');
    expect(result.stdout).toContain('+              memory: 384Mi');
    expect(result.stdout).toContain('nothing has been changed');
  });

  it('diagnoses one deployment and proposes the rollback', async () => {
    const result = await finish(['diagnose', 'deploy/orders-api', '-n', 'orders']);

    expect(result.stdout).toContain('rollout of deployment orders-api failed at revision 2');
    expect(result.stdout).toContain(
      'roll back deployment orders/orders-api from revision 2 to revision 1',
    );
    expect(result.stdout).not.toContain('payments');
  });

  it('uses a cluster named in the config file', async () => {
    const config = join(dir, 'coxswain.yaml');
    writeFileSync(
      config,
      `clusters:\n  - name: lab\n    kubeconfig: ${kubeconfig}\n    context: coxswain-sandbox\n`,
    );

    const named = await finish(['diagnose', '-n', 'payments', '--cluster', 'lab'], {
      KUBECONFIG: '/nonexistent',
      COXSWAIN_CONFIG: config,
    });
    const unknown = await finish(['status', '--cluster', 'prod'], { COXSWAIN_CONFIG: config });

    expect(named.stdout).toContain('of cluster lab');
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('no cluster named "prod"; configured: lab');
  });

  it('says the API server cannot be reached, without a stack trace', async () => {
    const closed = join(dir, 'closed.kubeconfig');
    // A port nothing listens on (fetch refuses "bad ports" such as 1 before connecting).
    writeFileSync(closed, kubeconfigFor(`http://127.0.0.1:${await freePort()}`));

    const result = await finish(['status'], { KUBECONFIG: closed });

    expect(result.code).toBe(1);
    expect(result.stderr).toContain('cannot reach the Kubernetes API server (ECONNREFUSED)');
    expect(result.stderr).not.toContain('    at ');
  });

  it('refuses bad arguments with the usage', async () => {
    const result = await finish(['diagnose', 'service/web']);

    expect(result.code).toBe(2);
    expect(result.stderr).toContain('"service/web" is not KIND/NAME');
    expect(result.stderr).toContain('Usage: coxswain status');
  });
});
