import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { diagnose } from '../src/commands/diagnose.ts';
import { startSandbox } from '../src/sandbox/start-sandbox.ts';
import { connect } from '../src/tools/kubernetes/cluster.ts';
import { ROOT } from './support.ts';

/**
 * `coxswain diagnose -n load` on a sandbox namespace of 200 pods (190 healthy, 10 OOM-killed):
 * how many API requests it makes and how long the command takes, end to end, as a person runs it.
 */
const PODS = { healthy: 190, failing: 10 };
const RUNS = 5;
const exec = promisify(execFile);

export async function benchDiagnose(): Promise<void> {
  const requests: string[] = [];
  let counting = false;
  const sandbox = await startSandbox({
    scenarios: ['oom-crashloop', 'healthy'],
    onRequest: (method, path) => {
      if (counting) requests.push(`${method} ${path}`);
    },
  });
  const dir = mkdtempSync(join(tmpdir(), 'coxswain-bench-'));
  const kubeconfig = join(dir, 'kubeconfig');
  sandbox.writeKubeconfig(kubeconfig);
  const cluster = connect({ name: 'sandbox', kubeconfig });
  try {
    await cluster.core.createNamespace({ body: { metadata: { name: 'load' } } });
    await cluster.apps.createNamespacedDeployment({
      namespace: 'load',
      body: deployment('web', PODS.healthy, 'ghcr.io/example/shop-frontend:3.2.1', '256Mi'),
    });
    await cluster.apps.createNamespacedDeployment({
      namespace: 'load',
      body: deployment('settle', PODS.failing, 'ghcr.io/example/payments-api:1.8.2', '256Mi'),
    });
    // Long enough for every pod to start and the OOM image to be killed once.
    await waitFor(async () => {
      const pods = await cluster.core.listNamespacedPod({ namespace: 'load' });
      const oom = pods.items.filter(
        (p) => p.status?.containerStatuses?.[0]?.lastState?.terminated?.reason === 'OOMKilled',
      );
      return pods.items.length === PODS.healthy + PODS.failing && oom.length === PODS.failing;
    });

    counting = true;
    const started = performance.now();
    const result = await diagnose(cluster, { namespace: 'load', visible: ['*'] });
    const inProcess = performance.now() - started;
    counting = false;
    const byKind = count(requests);

    const times: number[] = [];
    let output = '';
    for (let i = 0; i < RUNS; i++) {
      const t0 = performance.now();
      // Asynchronously: the sandbox answers from this process's event loop.
      const run = await exec(process.execPath, ['bin/coxswain.js', 'diagnose', '-n', 'load'], {
        cwd: ROOT,
        env: { ...process.env, KUBECONFIG: kubeconfig, COXSWAIN_CONFIG: '' },
      });
      times.push(performance.now() - t0);
      output = run.stdout;
    }
    const sorted = [...times].sort((a, b) => a - b);
    const median = sorted[Math.floor(sorted.length / 2)] ?? 0;
    const t1 = performance.now();
    await exec(process.execPath, ['bin/coxswain.js', 'sandbox', '--list'], { cwd: ROOT });
    const startup = performance.now() - t1;

    console.log('\n## diagnose -n load (200 pods: 190 healthy, 10 OOM-killed)');
    console.log(`API requests: ${requests.length} (${byKind})`);
    console.log(`findings: ${result.findings.length}, fixes proposed: ${result.actions.length}`);
    console.log(`in process: ${inProcess.toFixed(0)} ms`);
    console.log(
      `coxswain diagnose -n load, wall time over ${RUNS} runs: median ${median.toFixed(0)} ms (min ${sorted[0]?.toFixed(0)}, max ${sorted[sorted.length - 1]?.toFixed(0)})`,
    );
    console.log(`of which CLI start-up (coxswain sandbox --list): ${startup.toFixed(0)} ms`);
    console.log(`headline: ${output.split('\n')[0]}`);
  } finally {
    await sandbox.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

function deployment(name: string, replicas: number, image: string, memory: string) {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace: 'load' },
    spec: {
      replicas,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: {
          containers: [
            {
              name: 'app',
              image,
              resources: { requests: { cpu: '5m', memory: '16Mi' }, limits: { memory } },
            },
          ],
        },
      },
    },
  };
}

function count(requests: string[]): string {
  const counts = new Map<string, number>();
  for (const r of requests) {
    const key = r
      .replace(/\/namespaces\/[^/]+/, '/namespaces/NS')
      .replace(/\/(deployments|pods)\/[^/?]+$/, '/$1/NAME');
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return [...counts].map(([k, n]) => `${n}× ${k}`).join(', ');
}

async function waitFor(check: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + 120_000;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('the load namespace did not settle in 2 minutes');
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}
