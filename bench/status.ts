import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import { Redis } from 'ioredis';
import { type ClusterSnapshot, StatusStore } from '../src/dashboard/status-store.ts';
import { createLogger } from '../src/observability/logger.ts';
import { startEmbeddedRedis } from '../src/runtime/embedded-redis.ts';
import { DEMO_SCENARIOS } from '../src/sandbox/demo-scenarios.ts';
import { startSandbox } from '../src/sandbox/start-sandbox.ts';
import { type Cluster, Clusters, connect } from '../src/tools/kubernetes/cluster.ts';
import { keepStatusFresh } from '../src/worker/status-snapshots.ts';
import { sleep } from './support.ts';

/**
 * The dashboard's Status, kept fresh by a worker's watches: how long from a change written to
 * the sandbox until the snapshot in Redis shows it (a node cordoned; a deployment scaled, until
 * its new pods are counted), median of `TRIES`; and what keeping it costs the API server over a
 * minute left alone (`BENCH_STATUS_SECONDS`), first on the healthy shop alone, then on the
 * demo's cluster, whose crash loops change pods all the time.
 */
const TRIES = 7;
const IDLE_SECONDS = Number(process.env.BENCH_STATUS_SECONDS ?? 60);
const NODE = 'sandbox-worker3';

export async function benchStatus(): Promise<void> {
  const server = await startEmbeddedRedis();
  const redis = new Redis(server.url, { maxRetriesPerRequest: null });
  try {
    await benchCluster('healthy shop', ['healthy'], redis);
    await benchCluster('demo cluster', DEMO_SCENARIOS, redis);
  } finally {
    redis.disconnect();
    await server.stop();
  }
}

async function benchCluster(label: string, scenarios: string[], redis: Redis): Promise<void> {
  const requests: { path: string; watch: boolean }[] = [];
  const sandbox = await startSandbox({
    scenarios,
    onRequest: (method, path, _dryRun, watch) => {
      if (method === 'GET') requests.push({ path, watch });
    },
  });
  const dir = mkdtempSync(join(tmpdir(), 'coxswain-bench-'));
  const kubeconfig = join(dir, 'kubeconfig');
  sandbox.writeKubeconfig(kubeconfig);
  const cluster = connect({ name: 'sandbox', kubeconfig });
  const prefix = `bench-status-${Date.now()}`;
  const store = new CountingStore(redis, prefix);
  const keeper = keepStatusFresh({
    clusters: new Clusters([{ name: 'sandbox', kubeconfig }]),
    store,
    redis,
    prefix,
    log: createLogger('warn'),
  });
  try {
    await until(async () => sandbox.openWatches() === 3 && (await snapshot(store)) !== undefined);
    await sleep(5_000);

    const idle = await idleCost(requests, store);
    const cordon = await tries(async (i) => {
      await cordoned(cluster, i % 2 === 0);
      return async (s) => s.health?.nodes.find((n) => n.name === NODE)?.cordoned === (i % 2 === 0);
    });
    const scale = await tries(async (i) => {
      const replicas = i % 2 === 0 ? 4 : 2;
      const shop = async () => (await snapshot(store))?.health?.namespaces.shop?.pods.total ?? 0;
      const expected = (await shop()) + (i % 2 === 0 ? 2 : -2);
      await cluster.apps.replaceNamespacedDeploymentScale({
        name: 'cart',
        namespace: 'shop',
        body: { metadata: { name: 'cart', namespace: 'shop' }, spec: { replicas } },
      });
      return async (s) => s.health?.namespaces.shop?.pods.total === expected;
    });

    console.log(`\nstatus: ${label} (${scenarios.join(', ')})`);
    console.log(
      `  left alone ${IDLE_SECONDS} s, per minute: ${idle.watches} watches opened, ${idle.lists} lists, ${idle.reads} status reads (${idle.reads * 3} of those lists)`,
    );
    console.log(`  node cordoned → snapshot: ${summary(cordon)}`);
    console.log(`  deployment scaled → its pods in the snapshot: ${summary(scale)}`);
    console.log(`  one status read (three lists): ${summary(store.readMs, 'reads')}`);
  } finally {
    await keeper.stop();
    await sandbox.close();
    rmSync(dir, { recursive: true, force: true });
  }

  /** Writes a change, then times until the snapshot in Redis shows it; `TRIES` times. */
  async function tries(
    change: (i: number) => Promise<(s: ClusterSnapshot) => Promise<boolean>>,
  ): Promise<number[]> {
    const times: number[] = [];
    for (let i = 0; i < TRIES; i++) {
      // Apart, as changes people make are: a change right after a read waits out the gap.
      await sleep(4_000);
      const shows = await change(i);
      const written = performance.now();
      await until(async () => {
        const found = await snapshot(store);
        return found !== undefined && (await shows(found));
      });
      times.push(performance.now() - written);
    }
    return times;
  }
}

/** API requests and status reads per minute, counted over `IDLE_SECONDS` with nothing done. */
async function idleCost(requests: { path: string; watch: boolean }[], store: CountingStore) {
  const firstRequest = requests.length;
  const firstWrite = store.writes;
  await sleep(IDLE_SECONDS * 1_000);
  const seen = requests.slice(firstRequest);
  const perMinute = (n: number) => Math.round((n * 600) / IDLE_SECONDS) / 10;
  return {
    watches: perMinute(seen.filter((r) => r.watch).length),
    lists: perMinute(seen.filter((r) => !r.watch).length),
    reads: perMinute(store.writes - firstWrite),
  };
}

async function cordoned(cluster: Cluster, unschedulable: boolean): Promise<void> {
  await cluster.core.patchNode(
    { name: NODE, body: { spec: { unschedulable } } },
    setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
  );
}

/** Counts the snapshots written, and how long each read took (from its start to its write). */
class CountingStore extends StatusStore {
  writes = 0;
  readMs: number[] = [];

  override async write(snapshot: ClusterSnapshot): Promise<void> {
    this.writes++;
    this.readMs.push(Date.now() - Date.parse(snapshot.at));
    await super.write(snapshot);
  }
}

async function snapshot(store: StatusStore): Promise<ClusterSnapshot | undefined> {
  return (await store.read()).find((s) => s.cluster === 'sandbox');
}

async function until(check: () => Promise<boolean>, timeoutMs = 90_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('the status snapshot never showed the change');
    await sleep(10);
  }
}

function summary(ms: number[], what = 'tries'): string {
  const sorted = [...ms].sort((a, b) => a - b);
  const median = sorted[Math.floor(sorted.length / 2)] ?? 0;
  const round = (n: number) => `${Math.round(n)} ms`;
  return `median ${round(median)} (min ${round(sorted[0] ?? 0)}, max ${round(sorted[sorted.length - 1] ?? 0)}, ${ms.length} ${what})`;
}
