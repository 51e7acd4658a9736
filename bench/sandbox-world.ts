import { createInterface } from 'node:readline';
import { findResource, type ResourceType } from '../src/sandbox/api/catalog.ts';
import type { KObject } from '../src/sandbox/api/store.ts';
import { DEMO_SCENARIOS } from '../src/sandbox/demo-scenarios.ts';
import { startSandbox } from '../src/sandbox/start-sandbox.ts';

/**
 * The sandbox the `sandbox` benchmark measures, in a process of its own: the demo's scenarios,
 * and with `BENCH_PODS` set, that many more pods (100 to a Deployment, one namespace each, on
 * nodes added for them), with its Prometheus metrics served. Prints one JSON line when it serves,
 * one when the pods all run, and one for each line `requests` on its standard input: the API
 * requests it has served since the last such line, with their methods and paths.
 */
const PODS = Number(process.env.BENCH_PODS ?? 0);
const PER_DEPLOYMENT = 100;
const PODS_PER_NODE = 100;

const type = (group: string, plural: string) => findResource(group, 'v1', plural) as ResourceType;

const began = performance.now();
let served: string[] = [];
const sandbox = await startSandbox({
  scenarios: DEMO_SCENARIOS,
  port: Number(process.env.PORT),
  metricsPort: 0,
  onRequest: (method, path, _dryRun, watch) => {
    served.push(`${method} ${path}${watch ? ' (watch)' : ''}`);
  },
});
createInterface({ input: process.stdin }).on('line', (line) => {
  if (line.trim() !== 'requests') return;
  say({ event: 'requests', requests: served });
  served = [];
});
say({
  event: 'serving',
  url: sandbox.url,
  metricsUrl: sandbox.metricsUrl,
  kubeconfig: sandbox.kubeconfig,
  ms: performance.now() - began,
});

if (PODS > 0) {
  const store = sandbox.simulator.store;
  const template = store.peek(type('', 'nodes'), undefined, 'sandbox-worker') as KObject;
  const loading = performance.now();
  for (let i = 0; i < Math.ceil(PODS / PODS_PER_NODE); i++) {
    const name = `bench-node-${i}`;
    store.create(type('', 'nodes'), {
      ...structuredClone(template),
      metadata: { name, labels: { 'kubernetes.io/hostname': name, 'kubernetes.io/os': 'linux' } },
    });
  }
  const namespaces = Math.ceil(PODS / PER_DEPLOYMENT);
  for (let i = 0; i < namespaces; i++) {
    const namespace = `bench-${i}`;
    const labels = { app: 'bench' };
    store.create(type('', 'namespaces'), {
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name: namespace },
    });
    store.create(type('apps', 'deployments'), {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'bench', namespace },
      spec: {
        replicas: Math.min(PER_DEPLOYMENT, PODS - i * PER_DEPLOYMENT),
        selector: { matchLabels: labels },
        template: {
          metadata: { labels },
          spec: { containers: [{ name: 'app', image: 'nginx:1.27' }] },
        },
      },
    });
  }
  const pods = type('', 'pods');
  for (;;) {
    await new Promise((resolve) => setTimeout(resolve, 250));
    const running = store
      .view(pods)
      .filter((p) => p.metadata.namespace?.startsWith('bench-') && isRunning(p)).length;
    if (running >= PODS) break;
  }
  say({ event: 'running', pods: store.count(pods), ms: performance.now() - loading });
}

function isRunning(pod: Readonly<KObject>): boolean {
  return (pod.status as { phase?: string } | undefined)?.phase === 'Running';
}

function say(line: Record<string, unknown>): void {
  process.stdout.write(`${JSON.stringify(line)}\n`);
}
