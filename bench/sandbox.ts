import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { freePort } from '../src/runtime/embedded-redis.ts';
import { ROOT, rssMiB, sleep } from './support.ts';

/**
 * The sandbox's own cost: how long it takes to serve the demo's scenarios and its RSS then, and
 * the same with `BENCH_SANDBOX_PODS` (5,000) more pods: how long until they all run, the RSS,
 * and how long a few everyday requests take while they run.
 */
const PODS = Number(process.env.BENCH_SANDBOX_PODS ?? 5_000);

export async function benchSandbox(): Promise<void> {
  const demo = await world(0);
  try {
    await sleep(2_000);
    console.log(
      `sandbox, demo scenarios: serving after ${ms(demo.serving)}, RSS ${mib(rssMiB(demo.pid))}`,
    );
    await requests(demo.url, 'demo scenarios');
    await scrapes(demo, 'demo scenarios');
  } finally {
    await demo.stop();
  }
  const loaded = await world(PODS);
  try {
    await sleep(2_000);
    console.log(
      `sandbox, ${PODS} more pods: serving after ${ms(loaded.serving)}, all running ${ms(loaded.running ?? 0)} later, RSS ${mib(rssMiB(loaded.pid))}`,
    );
    await requests(loaded.url, `${PODS} more pods`);
    await scrapes(loaded, `${PODS} more pods`);
  } finally {
    await loaded.stop();
  }
}

/** Median time of everyday reads: a version check, one namespace's pods, and every pod. */
async function requests(url: string, label: string): Promise<void> {
  const paths = ['/version', '/api/v1/namespaces/shop/pods', '/api/v1/pods'];
  const out: string[] = [];
  for (const path of paths) {
    const times: number[] = [];
    for (let i = 0; i < 9; i++) {
      const began = performance.now();
      const response = await fetch(`${url}${path}`);
      await response.arrayBuffer();
      times.push(performance.now() - began);
      await sleep(100);
    }
    times.sort((a, b) => a - b);
    out.push(`GET ${path} median ${ms(times[4] ?? 0)}, worst ${ms(times[8] ?? 0)}`);
  }
  console.log(`  ${label}: ${out.join('; ')}`);
}

/** Prometheus scraping `/metrics`: the time a scrape takes, its size, and the RSS after. */
async function scrapes(world: World, label: string): Promise<void> {
  const times: number[] = [];
  let bytes = 0;
  for (let i = 0; i < 9; i++) {
    const began = performance.now();
    const response = await fetch(world.metricsUrl);
    bytes = (await response.arrayBuffer()).byteLength;
    times.push(performance.now() - began);
    await sleep(100);
  }
  times.sort((a, b) => a - b);
  console.log(
    `  ${label}: GET /metrics median ${ms(times[4] ?? 0)}, worst ${ms(times[8] ?? 0)}, ${Math.round(bytes / 1024)} KiB; RSS after ${mib(rssMiB(world.pid))}`,
  );
}

type World = {
  url: string;
  metricsUrl: string;
  pid: number;
  serving: number;
  running: number | undefined;
  stop(): Promise<void>;
};

async function world(pods: number): Promise<World> {
  const child = spawn(process.execPath, ['bench/sandbox-world.ts'], {
    cwd: ROOT,
    env: { ...process.env, BENCH_PODS: String(pods), PORT: String(await freePort()) },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const lines = createInterface({ input: child.stdout as NonNullable<ChildProcess['stdout']> });
  const events: Record<string, { url?: string; metricsUrl?: string; ms: number }> = {};
  for await (const line of lines) {
    const event = JSON.parse(line) as {
      event: string;
      url?: string;
      metricsUrl?: string;
      ms: number;
    };
    events[event.event] = event;
    if (event.event === (pods > 0 ? 'running' : 'serving')) break;
  }
  const serving = events.serving;
  if (serving?.url === undefined || serving.metricsUrl === undefined) {
    throw new Error('the sandbox did not start');
  }
  return {
    url: serving.url,
    metricsUrl: serving.metricsUrl,
    pid: child.pid ?? 0,
    serving: serving.ms,
    running: events.running?.ms,
    async stop() {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    },
  };
}

function ms(value: number): string {
  return value >= 1000 ? `${(value / 1000).toFixed(1)} s` : `${Math.round(value)} ms`;
}

function mib(value: number): string {
  return `${Math.round(value)} MiB`;
}
