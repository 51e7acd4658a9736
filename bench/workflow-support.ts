import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { stringify } from 'yaml';
import { JOB_OPTIONS } from '../src/queue/queues.ts';
import { freePort, startEmbeddedRedis } from '../src/runtime/embedded-redis.ts';
import { startSandbox } from '../src/sandbox/start-sandbox.ts';
import type { RunView } from '../src/workflows/run-record.ts';
import { RedisRunStore } from '../src/workflows/run-store.ts';
import { type Child, spawnNode } from './support.ts';

/**
 * What both workflow benchmarks stand on: a `redis-server` of their own, the sandbox as the
 * cluster, a config file and a folder of workflow files, `coxswain worker` processes under one
 * key prefix, and the run store to read the runs back.
 */
export type WorkflowBench = {
  redisUrl: string;
  prefix: string;
  dir: string;
  workflowsDir: string;
  runs: Queue;
  store: RedisRunStore;
  /** A `coxswain worker` on a free port, with these variables on top of the bench's. */
  worker(env?: Record<string, string>): Promise<Child>;
  close(): Promise<void>;
};

export async function startWorkflowBench(
  prefix: string,
  workflows: Record<string, string>,
): Promise<WorkflowBench> {
  const redis = await startEmbeddedRedis();
  const sandbox = await startSandbox({ scenarios: ['healthy'] });
  const dir = mkdtempSync(join(tmpdir(), 'coxswain-bench-workflows-'));
  const kubeconfig = join(dir, 'kubeconfig');
  sandbox.writeKubeconfig(kubeconfig);
  const config = join(dir, 'coxswain.yaml');
  writeFileSync(config, stringify({ clusters: [{ name: 'sandbox', kubeconfig }] }));
  const workflowsDir = join(dir, 'workflows');
  mkdirSync(workflowsDir);
  for (const [name, text] of Object.entries(workflows))
    writeFileSync(join(workflowsDir, `${name}.yaml`), text);
  const connection = new Redis(redis.url, { maxRetriesPerRequest: null });
  const runs = new Queue('runs', {
    connection: { url: redis.url },
    prefix,
    defaultJobOptions: JOB_OPTIONS.runs,
  });
  const workers: Child[] = [];
  return {
    redisUrl: redis.url,
    prefix,
    dir,
    workflowsDir,
    runs,
    store: new RedisRunStore(connection, prefix),
    async worker(env = {}) {
      const port = await freePort();
      const child = await spawnNode(
        ['bin/coxswain.js', 'worker'],
        {
          REDIS_URL: redis.url,
          REDIS_PREFIX: prefix,
          WORKER_PORT: String(port),
          COXSWAIN_CONFIG: config,
          WORKFLOWS_DIR: workflowsDir,
          AUDIT_DIR: join(dir, 'audit'),
          LOG_LEVEL: 'warn',
          ...env,
        },
        `http://127.0.0.1:${port}/healthz`,
      );
      workers.push(child);
      return child;
    },
    async close() {
      for (const w of workers) await w.stop();
      await runs.close();
      await dropPrefix(connection, prefix);
      connection.disconnect();
      await sandbox.close();
      await redis.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Deletes every key under the prefix (the Redis is the bench's own, but it says what it used). */
async function dropPrefix(redis: Redis, prefix: string): Promise<void> {
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 500);
    if (keys.length > 0) await redis.unlink(...keys);
    cursor = next;
  } while (cursor !== '0');
}

/** Polls the store until the run is over; undefined if it is not within `timeoutMs`. */
export async function finishedRun(
  store: RedisRunStore,
  runId: string,
  timeoutMs = 60_000,
): Promise<RunView | undefined> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const view = await store.load(runId);
    if (view?.finishedAt !== undefined && view.state !== 'running' && view.state !== 'waiting')
      return view;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  return undefined;
}

/** The value below which `share` of the sorted values lie (nearest rank). */
export function quantile(sorted: readonly number[], share: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil(share * sorted.length) - 1));
  return sorted[rank] ?? Number.NaN;
}

export function sortedNumbers(values: Iterable<number>): number[] {
  return [...values].sort((a, b) => a - b);
}
