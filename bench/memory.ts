import { execFile } from 'node:child_process';
import { Agent } from 'node:http';
import { promisify } from 'node:util';
import { freePort, startEmbeddedRedis } from '../src/runtime/embedded-redis.ts';
import {
  deliveredCount,
  multiAlertFixture,
  postAlert,
  ROOT,
  rssMiB,
  sleep,
  spawnNode,
  uniqueMultiAlert,
} from './support.ts';

const ALERTS = Number(process.env.BENCH_ALERTS ?? 10_000);
const IN_FLIGHT = 50;

/** RSS of `coxswain all` idle and after ALERTS notifications went all the way to the console. */
export async function benchMemory(): Promise<void> {
  const template = multiAlertFixture();
  const redis = await startEmbeddedRedis();
  const port = await freePort();
  const app = await spawnNode(
    ['bin/coxswain.js', 'all'],
    {
      REDIS_URL: redis.url,
      PORT: String(port),
      WORKER_PORT: String(await freePort()),
      LOG_LEVEL: 'warn',
    },
    `http://127.0.0.1:${port}/readyz`,
  );
  try {
    await sleep(3_000);
    const idle = { rss: rssMiB(app.pid), heap: await heapMiB(port) };
    const agent = new Agent({ keepAlive: true, maxSockets: IN_FLIGHT });
    const started = Date.now();
    let next = 0;
    let refused = 0;
    await Promise.all(
      Array.from({ length: IN_FLIGHT }, async () => {
        while (next < ALERTS) {
          const status = await postAlert(agent, port, uniqueMultiAlert(template, next++));
          if (status !== 202) refused++;
        }
      }),
    );
    const accepted = Date.now() - started;
    while ((await deliveredCount(port)) < ALERTS - refused) await sleep(200);
    const done = Date.now() - started;
    const after = { rss: rssMiB(app.pid), heap: await heapMiB(port) };
    await sleep(10_000);
    const settled = { rss: rssMiB(app.pid), heap: await heapMiB(port) };
    agent.destroy();
    console.log(
      `\nMemory: coxswain all, ${ALERTS} multi-alert notifications from webhook to web console`,
    );
    console.table([
      { moment: 'idle, 3 s after start', ...figures(idle) },
      { moment: `right after the ${ALERTS}th delivery`, ...figures(after) },
      { moment: '10 s later', ...figures(settled) },
    ]);
    console.log(
      `accepted in ${(accepted / 1000).toFixed(1)} s, all delivered in ${(done / 1000).toFixed(1)} s ` +
        `(${Math.round((ALERTS * 1000) / done)} alerts/s end to end), ${refused} refused`,
    );
  } finally {
    await app.stop();
    await redis.stop();
  }
  const { stdout } = await promisify(execFile)(
    process.execPath,
    ['--expose-gc', 'bench/heap-after-gc.ts', String(ALERTS)],
    { cwd: ROOT },
  );
  const gc = JSON.parse(stdout) as { before: number; after: number };
  console.log(
    `V8 heap after a full GC, same load in one process: ${gc.before.toFixed(1)} MiB before, ` +
      `${gc.after.toFixed(1)} MiB after (retained per alert: ${(((gc.after - gc.before) * 1024 * 1024) / ALERTS).toFixed(0)} bytes)`,
  );
}

function figures(sample: { rss: number; heap: number }) {
  return { 'RSS MiB': sample.rss.toFixed(1), 'V8 heap used MiB': sample.heap.toFixed(1) };
}

async function heapMiB(port: number): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  const bytes = Number(
    /^coxswain_nodejs_heap_size_used_bytes (\S+)/m.exec(text)?.[1] ?? Number.NaN,
  );
  return bytes / 1024 / 1024;
}
