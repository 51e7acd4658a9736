import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { runKubectl } from '../support/kubectl.ts';
import { eventually, useSandbox } from '../support/sandbox.ts';

/**
 * The real kubectl against the sandbox: what an engineer would type while the bot watches the
 * same cluster. Needs kubectl on PATH; without it these tests fail rather than skip.
 */
const sandbox = useSandbox(['oom-crashloop', 'bad-rollout', 'healthy', 'node-memory-pressure']);
const cacheDir = mkdtempSync(join(tmpdir(), 'coxswain-kubectl-cache-'));

afterAll(() => {
  rmSync(cacheDir, { recursive: true, force: true });
});

/** Runs kubectl against the sandbox; a run longer than `timeoutMs` is killed (code null). */
function kubectl(args: string[], input?: string, timeoutMs = 15_000) {
  return runKubectl({ kubeconfig: sandbox.kubeconfig, cacheDir }, args, input, { timeoutMs });
}

async function podNames(namespace: string, selector: string): Promise<string[]> {
  const { stdout } = await kubectl([
    'get',
    'pods',
    '-n',
    namespace,
    '-l',
    selector,
    '-o',
    'jsonpath={.items[*].metadata.name}',
  ]);
  return stdout.split(' ').filter(Boolean);
}

async function firstPod(namespace: string, selector: string): Promise<string> {
  const [name] = await podNames(namespace, selector);
  if (name === undefined) throw new Error(`no pod in ${namespace} with ${selector}`);
  return name;
}

describe('kubectl on the sandbox', () => {
  it('is installed', async () => {
    const result = await kubectl(['version', '--client']);

    expect(
      result.code,
      `kubectl is required: .ci/run checks that it is on the PATH (${result.stderr})`,
    ).toBe(0);
    expect(result.stdout).toContain('Client Version');
  });

  it('lists pods in every namespace with their crash loops', async () => {
    const result = await kubectl(['get', 'pods', '-A']);

    expect(result.code).toBe(0);
    const [header, ...rows] = result.stdout.trim().split('\n');
    expect(header).toMatch(/^NAMESPACE\s+NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE$/);
    const namespaces = new Set(rows.map((row) => row.split(/\s+/)[0]));
    expect([...namespaces]).toEqual(
      expect.arrayContaining(['batch', 'kube-system', 'orders', 'payments', 'shop']),
    );
    expect(rows.filter((row) => row.startsWith('payments '))).not.toHaveLength(0);
    for (const row of rows.filter((r) => r.startsWith('payments '))) {
      expect(row).toContain('CrashLoopBackOff');
    }
  });

  it('prints deployments as YAML', async () => {
    const result = await kubectl(['get', 'deploy', '-n', 'shop', '-o', 'yaml']);

    expect(result.code).toBe(0);
    const list = parse(result.stdout) as {
      kind: string;
      items: { kind: string; metadata: { name: string }; spec: { replicas: number } }[];
    };
    expect(list.kind).toBe('List');
    expect(list.items.map((d) => `${d.kind}/${d.metadata.name}`)).toEqual([
      'Deployment/cart',
      'Deployment/frontend',
    ]);
    expect(list.items.find((d) => d.metadata.name === 'frontend')?.spec.replicas).toBe(3);
  });

  it('prints one deployment as JSON', async () => {
    const result = await kubectl(['get', 'deploy', 'payments-api', '-n', 'payments', '-o', 'json']);

    expect(result.code).toBe(0);
    const deployment = JSON.parse(result.stdout);
    expect(deployment.kind).toBe('Deployment');
    expect(deployment.metadata.namespace).toBe('payments');
    expect(deployment.spec.template.spec.containers[0].resources.limits.memory).toBe('256Mi');
    expect(deployment.status.replicas).toBe(2);
  });

  it('prints fields picked with jsonpath', async () => {
    const result = await kubectl([
      'get',
      'deploy',
      '-n',
      'shop',
      '-o',
      'jsonpath={range .items[*]}{.metadata.name}={.spec.replicas}{"\\n"}{end}',
    ]);

    expect(result.code).toBe(0);
    expect(result.stdout.trim().split('\n')).toEqual(['cart=2', 'frontend=3']);
  });

  it('describes a crash-looping pod with its OOM kill and events', async () => {
    const pod = await firstPod('payments', 'app=payments-api');

    const result = await kubectl(['describe', 'pod', pod, '-n', 'payments']);

    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/Last State:\s+Terminated\s+Reason:\s+OOMKilled/);
    expect(result.stdout).toMatch(/Exit Code:\s+137/);
    expect(result.stdout).toMatch(/Restart Count:\s+([6-9]|\d\d)/);
    const events = result.stdout.slice(result.stdout.indexOf('\nEvents:'));
    expect(events).toContain('Scheduled');
    expect(events).toMatch(/Warning\s+BackOff\s+.*Back-off restarting failed container api/);
  });

  it('describes a node under memory pressure', async () => {
    const result = await kubectl(['describe', 'node', 'sandbox-worker3']);

    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/MemoryPressure\s+True\s+.*KubeletHasInsufficientMemory/);
    expect(result.stdout).toMatch(/Taints:\s+node\.kubernetes\.io\/memory-pressure:NoSchedule/);
    expect(result.stdout).toContain('report-builder-');
  });

  it("shows a pod's log and the last words of the run the OOM killer ended", async () => {
    const pod = await firstPod('payments', 'app=payments-api');

    const current = await kubectl(['logs', pod, '-n', 'payments']);
    const previous = await kubectl(['logs', pod, '-n', 'payments', '--previous']);

    expect(current.code).toBe(0);
    expect(current.stdout).toContain('payments-api 1.8.2 starting');
    expect(previous.code).toBe(0);
    const lines = previous.stdout.trim().split('\n');
    expect(lines[0]).toContain('payments-api 1.8.2 starting');
    expect(lines.at(-2)).toContain('WARN  cache growing: 312Mi in use');
    expect(lines.at(-1)).toContain('WARN  GC overhead above 40% for 5s');
  });

  it('reports a rollout stuck past its deadline as failed', async () => {
    const result = await kubectl(
      ['rollout', 'status', 'deploy/orders-api', '-n', 'orders', '--timeout=10s'],
      undefined,
      12_000,
    );

    expect(result.code, 'kubectl rollout status did not exit').not.toBeNull();
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain('deployment "orders-api" exceeded its progress deadline');
  });

  it('rolls the bad release back to 1.4.0', async () => {
    const undo = await kubectl(['rollout', 'undo', 'deploy/orders-api', '-n', 'orders']);
    const status = await kubectl(
      ['rollout', 'status', 'deploy/orders-api', '-n', 'orders', '--timeout=10s'],
      undefined,
      12_000,
    );
    const image = await kubectl([
      'get',
      'deploy',
      'orders-api',
      '-n',
      'orders',
      '-o',
      'jsonpath={.spec.template.spec.containers[0].image}',
    ]);

    expect(undo.code).toBe(0);
    expect(undo.stdout).toContain('deployment.apps/orders-api rolled back');
    expect(status.stdout).toContain('deployment "orders-api" successfully rolled out');
    expect(status.code, `kubectl rollout status exited with ${status.code}`).toBe(0);
    expect(image.stdout).toBe('ghcr.io/example/orders-api:1.4.0');
  });

  it('scales a deployment up to three pods', async () => {
    const scale = await kubectl(['scale', 'deploy/cart', '-n', 'shop', '--replicas=3']);

    const pods = await eventually(async () => {
      const names = await podNames('shop', 'app=cart');
      return names.length === 3 ? names : undefined;
    }, 10_000);

    expect(scale.code).toBe(0);
    expect(scale.stdout).toContain('deployment.apps/cart scaled');
    expect(new Set(pods).size).toBe(3);
  });

  it('restarts a deployment and waits for the rollout to finish', async () => {
    const before = await podNames('shop', 'app=frontend');

    const restart = await kubectl(['rollout', 'restart', 'deploy/frontend', '-n', 'shop']);
    const status = await kubectl(
      ['rollout', 'status', 'deploy/frontend', '-n', 'shop', '--timeout=25s'],
      undefined,
      28_000,
    );
    // The replaced pods are listed while they terminate (2 s), as on a real cluster.
    const after = await eventually(async () => {
      const names = await podNames('shop', 'app=frontend');
      return names.length === 3 ? names : undefined;
    }, 10_000);

    expect(restart.code).toBe(0);
    expect(restart.stdout).toContain('deployment.apps/frontend restarted');
    expect(status.code).toBe(0);
    expect(status.stdout).toContain('deployment "frontend" successfully rolled out');
    expect(after.filter((name) => before.includes(name))).toEqual([]);
  }, 35_000);

  it('applies a ConfigMap from stdin, then applies a change to it', async () => {
    const manifest = (value: string) =>
      `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: feature-flags\n  namespace: shop\ndata:\n  checkout-v2: "${value}"\n`;

    const first = await kubectl(['apply', '-f', '-'], manifest('false'));
    const second = await kubectl(['apply', '-f', '-'], manifest('true'));
    const value = await kubectl([
      'get',
      'configmap',
      'feature-flags',
      '-n',
      'shop',
      '-o',
      'jsonpath={.data.checkout-v2}',
    ]);

    expect(first.code).toBe(0);
    expect(first.stdout.trim()).toBe('configmap/feature-flags created');
    expect(second.code).toBe(0);
    expect(second.stdout.trim()).toBe('configmap/feature-flags configured');
    expect(value.stdout).toBe('true');
  });

  it('deletes a pod, and its replica set replaces it', async () => {
    const before = await podNames('payments', 'app=payments-api');
    const victim = before[0] ?? '';

    const result = await kubectl(['delete', 'pod', victim, '-n', 'payments']);
    const after = await eventually(async () => {
      const names = await podNames('payments', 'app=payments-api');
      return names.length === before.length && !names.includes(victim) ? names : undefined;
    }, 10_000);

    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`pod "${victim}" deleted`);
    expect(after.filter((name) => !before.includes(name))).toHaveLength(1);
  });

  it('patches a deployment with merge, JSON and strategic merge patches', async () => {
    const merge = await kubectl([
      'patch',
      'deploy',
      'cart',
      '-n',
      'shop',
      '--type=merge',
      '-p',
      '{"metadata":{"labels":{"team":"checkout"}}}',
    ]);
    const json = await kubectl([
      'patch',
      'deploy',
      'cart',
      '-n',
      'shop',
      '--type=json',
      '-p',
      '[{"op":"replace","path":"/spec/revisionHistoryLimit","value":4}]',
    ]);
    const strategic = await kubectl([
      'patch',
      'deploy',
      'cart',
      '-n',
      'shop',
      '-p',
      '{"spec":{"template":{"spec":{"containers":[{"name":"cart","env":[{"name":"LOG_LEVEL","value":"debug"}]}]}}}}',
    ]);
    const got = await kubectl(['get', 'deploy', 'cart', '-n', 'shop', '-o', 'json']);

    expect([merge.code, json.code, strategic.code]).toEqual([0, 0, 0]);
    expect(merge.stdout).toContain('deployment.apps/cart patched');
    const deployment = JSON.parse(got.stdout);
    expect(deployment.metadata.labels).toEqual({ app: 'cart', team: 'checkout' });
    expect(deployment.spec.revisionHistoryLimit).toBe(4);
    const [container] = deployment.spec.template.spec.containers;
    expect(container.image).toBe('ghcr.io/example/shop-cart:2.7.0');
    expect(container.env).toEqual([
      { name: 'REDIS_ADDR', value: 'cart-redis:6379' },
      { name: 'LOG_LEVEL', value: 'debug' },
    ]);
  });
});
