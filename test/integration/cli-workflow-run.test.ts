import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.ts';
import { MessagesApi, text } from '../support/messages-api.ts';
import { useSandbox } from '../support/sandbox.ts';

/**
 * `coxswain workflow list` and `workflow run` in the terminal: the shipped workflows listed, one
 * run with the analyzers up to its gate (the change printed, nothing changed), and an agent
 * step's declared outputs read from a model's answer, or the step failed naming what is missing.
 */
const sandbox = useSandbox(['bad-rollout']);
const api = new MessagesApi();
let modelUrl = '';
let dir = '';

const OUTPUTS = `
name: triage
steps:
  - name: look
    agent: k8s-diagnostician
    model: haiku
    task: Why does orders-api fail?
    outputs: { cause: string, restarts: number }
  - name: summary
    action: report
`;

beforeAll(async () => {
  modelUrl = await api.start();
  dir = mkdtempSync(join(tmpdir(), 'coxswain-workflows-'));
  writeFileSync(join(dir, 'triage.yaml'), OUTPUTS);
});

afterAll(() => api.stop());

async function cli(args: string[], env: Record<string, string> = {}) {
  const run = runCli(['workflow', ...args], { KUBECONFIG: sandbox.kubeconfig, ...env });
  const code = await run.exited;
  return { code, stdout: run.stdout(), stderr: run.stderr() };
}

describe('coxswain workflow', () => {
  it('lists the shipped workflows with their triggers and files', async () => {
    const { code, stdout } = await cli(['list']);

    expect(code).toBe(0);
    expect(stdout).toMatch(/^NAME\s+TRIGGER\s+DESCRIPTION\s+FILE$/m);
    expect(stdout).toMatch(
      /^cluster-health-check\s+schedule 0 \*\/6 \* \* \*, manual\s+.*workflows\/health\/cluster-health-check\.yaml$/m,
    );
    expect(stdout).toMatch(
      /^pod-crashloop\s+alert alertname=~KubePodCrashLooping\|KubeContainerWaiting\s/m,
    );
    expect(stdout).toMatch(/^deploy-app\s+manual\s/m);
  }, 30_000);

  it('runs a workflow to its gate, prints the change, and changes nothing', async () => {
    const { code, stdout } = await cli([
      'run',
      'rollback-app',
      'app=orders-api',
      'namespace=orders',
    ]);

    expect(code).toBe(1);
    expect(stdout).toContain('✓ history (succeeded): revision 2: ghcr.io/example/orders-api:1.5.0');
    expect(stdout).toContain('+          image: ghcr.io/example/orders-api:1.4.0');
    expect(stdout).toContain('■ rollback (stopped)');
    expect(stdout).toContain('Workflow rollback-app: stopped');
    const deployment = await sandbox.cluster.apps.readNamespacedDeployment({
      namespace: 'orders',
      name: 'orders-api',
    });
    expect(deployment.spec?.template.spec?.containers[0]?.image).toBe(
      'ghcr.io/example/orders-api:1.5.0',
    );
  }, 60_000);

  it('refuses a missing input before anything runs', async () => {
    const { code, stderr } = await cli(['run', 'rollback-app', 'app=orders-api']);

    expect(code).toBe(2);
    expect(stderr).toContain('workflow rollback-app: namespace is required (string)');
  }, 30_000);

  it("reads an agent step's declared outputs from its answer, and fails it when they are not there", async () => {
    const env = {
      WORKFLOWS_DIR: dir,
      ANTHROPIC_API_KEY: 'sk-ant-test-workflow',
      ANTHROPIC_BASE_URL: modelUrl,
    };
    api.respond = () => ({
      content: [text('orders-api 1.5.0 exits at start.\n{"cause": "crash", "restarts": 7}')],
    });

    const good = await cli(['run', 'triage'], env);
    api.respond = () => ({ content: [text('It crashes.\n{"cause": "crash"}')] });
    const bad = await cli(['run', 'triage'], env);

    expect(good.code).toBe(0);
    expect(good.stdout).toContain('✓ look (succeeded)');
    expect(good.stdout).toContain('Workflow triage: succeeded');
    expect(bad.code).toBe(1);
    expect(bad.stdout).toContain(
      '✗ look (failed): its outputs do not match what it declares: restarts: missing (number expected)',
    );
  }, 60_000);
});
