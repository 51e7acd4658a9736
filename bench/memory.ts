import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { Agent } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { freePort, startEmbeddedRedis } from '../src/runtime/embedded-redis.ts';
import { startSandbox } from '../src/sandbox/start-sandbox.ts';
import {
  type Child,
  deliveredCount,
  type Figures,
  memoryMiB,
  multiAlertFixture,
  postAlert,
  ROOT,
  sleep,
  spawnNode,
  uniqueMultiAlert,
} from './support.ts';

/**
 * Memory as production runs it: the compiled dist/ (built first), each role started on its own
 * with its own `redis-server`, the sandbox as the cluster where a worker runs, no Slack, Discord
 * or Anthropic credentials, and the NODE_OPTIONS the deploy overlays set for that role
 * (`BENCH_NODE_OPTIONS` replaces them, to compare flags). Idle: read `SETTLE_MS` after /readyz,
 * each role started `BENCH_MEMORY_RUNS` times (the machine is shared: the spread is printed).
 * Then `coxswain all` right after `BENCH_ALERTS` multi-alert notifications went from the webhook
 * to the web console, and the V8 heap retained per alert (heap-after-gc.ts).
 */
const ALERTS = Number(process.env.BENCH_ALERTS ?? 10_000);
const RUNS = Number(process.env.BENCH_MEMORY_RUNS ?? 3);
const SETTLE_MS = 5_000;
const IN_FLIGHT = 50;

type Role = 'bot' | 'worker' | 'all';
const ROLES: readonly Role[] = ['bot', 'worker', 'all'];

/** The targets for resident memory, in MiB. */
const TARGET_MIB = { bot: 80, worker: 120, all: 140, allAfterAlerts: 200 };

/** glibc's malloc settings the image sets (deploy/Dockerfile's ENV), for every role. */
const MALLOC_ENV = imageMallocEnv();

/** Where each role's NODE_OPTIONS is set for production. */
const OVERLAY_FILES: Record<Role, string> = {
  bot: 'deploy/kubernetes/overlays/ha/bot.yaml',
  worker: 'deploy/kubernetes/overlays/ha/worker.yaml',
  all: 'deploy/kubernetes/overlays/small/coxswain-all.yaml',
};

type Reading = { rss: number; anon: number; file: number; heapUsed: number };

export async function benchMemory(): Promise<Figures> {
  execFileSync('npm', ['run', 'build', '--silent'], { cwd: ROOT, stdio: 'inherit' });
  const nodeOptions = Object.fromEntries(
    ROLES.map((role) => [role, process.env.BENCH_NODE_OPTIONS ?? overlayNodeOptions(role)]),
  ) as Record<Role, string>;
  const idle: Record<Role, Reading[]> = { bot: [], worker: [], all: [] };
  for (let run = 0; run < RUNS; run++) {
    for (const role of ROLES) idle[role].push(await idleReading(role, nodeOptions[role]));
  }
  printIdle(nodeOptions, idle);
  // BENCH_ALERTS=0: idle only, to compare flags quickly.
  const load = ALERTS > 0 ? await allUnderAlerts(nodeOptions.all) : undefined;
  if (load !== undefined) printLoad(load);
  const gc = ALERTS > 0 ? heapAfterGc() : undefined;
  if (gc !== undefined)
    console.log(
      `V8 heap after a full GC, same load in one process: ${gc.beforeMiB.toFixed(1)} MiB before, ` +
        `${gc.afterMiB.toFixed(1)} MiB after (retained per alert: ${gc.retainedBytesPerAlert} bytes)`,
    );
  return {
    nodeOptions,
    malloc: MALLOC_ENV,
    runs: RUNS,
    idle: Object.fromEntries(
      ROLES.map((role) => [role, { targetMiB: TARGET_MIB[role], ...summary(idle[role]) }]),
    ),
    allAfterAlerts: { targetMiB: TARGET_MIB.allAfterAlerts, ...load },
    heapAfterGc: gc,
  };
}

/** `MALLOC_*` variables the image's ENV sets; `BENCH_MALLOC=default` leaves them out, to compare. */
function imageMallocEnv(): Record<string, string> {
  if (process.env.BENCH_MALLOC === 'default') return {};
  const dockerfile = readFileSync(join(ROOT, 'deploy/Dockerfile'), 'utf8');
  const found = [...dockerfile.matchAll(/^\s*(?:ENV\s+)?(MALLOC_[A-Z_]+)=(\S+?)\s*\\?$/gm)];
  if (found.length === 0) throw new Error('no MALLOC_ settings in deploy/Dockerfile');
  return Object.fromEntries(found.map((match) => [match[1] ?? '', match[2] ?? '']));
}

/** The NODE_OPTIONS value of the role's Deployment in its overlay. */
function overlayNodeOptions(role: Role): string {
  for (const doc of parseAllDocuments(readFileSync(join(ROOT, OVERLAY_FILES[role]), 'utf8'))) {
    const manifest = doc.toJS() as {
      spec?: {
        template?: { spec?: { containers?: { env?: { name: string; value?: string }[] }[] } };
      };
    };
    for (const container of manifest?.spec?.template?.spec?.containers ?? []) {
      const value = container.env?.find((e) => e.name === 'NODE_OPTIONS')?.value;
      if (value !== undefined) return value;
    }
  }
  throw new Error(`no NODE_OPTIONS in ${OVERLAY_FILES[role]}`);
}

/** One start of a role: its memory `SETTLE_MS` after it answered /readyz. */
async function idleReading(role: Role, nodeOptions: string): Promise<Reading> {
  return withRole(role, nodeOptions, async (child, port) => {
    await sleep(SETTLE_MS);
    return reading(child, port);
  });
}

/**
 * Starts `coxswain ROLE` from dist/ with a Redis of its own (and the sandbox unless it is a lone
 * bot), runs `work` on it, and stops everything.
 */
async function withRole<T>(
  role: Role,
  nodeOptions: string,
  work: (child: Child, port: number) => Promise<T>,
): Promise<T> {
  const redis = await startEmbeddedRedis();
  const sandbox = role === 'bot' ? undefined : await startSandbox({ scenarios: ['healthy'] });
  const dir = mkdtempSync(join(tmpdir(), 'coxswain-bench-memory-'));
  const kubeconfig = join(dir, 'kubeconfig');
  sandbox?.writeKubeconfig(kubeconfig);
  const [port, workerPort] = [await freePort(), await freePort()];
  const served = role === 'worker' ? workerPort : port;
  try {
    const child = await spawnNode(
      ['dist/main/entry.js', role],
      {
        NODE_OPTIONS: nodeOptions,
        ...MALLOC_ENV,
        REDIS_URL: redis.url,
        PORT: String(port),
        WORKER_PORT: String(workerPort),
        LOG_LEVEL: 'warn',
        AUDIT_DIR: join(dir, 'audit'),
        KUBECONFIG: sandbox === undefined ? join(dir, 'no-kubeconfig') : kubeconfig,
        ...UNCONFIGURED,
      },
      `http://127.0.0.1:${served}/readyz`,
    );
    try {
      return await work(child, served);
    } finally {
      await child.stop();
    }
  } finally {
    await sandbox?.close();
    await redis.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** What production may set and this bench leaves out: no chat platform, no model, no Lease. */
const UNCONFIGURED = Object.fromEntries(
  [
    'SLACK_BOT_TOKEN',
    'SLACK_APP_TOKEN',
    'SLACK_SIGNING_SECRET',
    'DISCORD_TOKEN',
    'ANTHROPIC_API_KEY',
    'LEADER_LEASE',
    'COXSWAIN_CONFIG',
  ].map((name) => [name, undefined]),
);

async function reading(child: Child, port: number): Promise<Reading> {
  const { rss, anon, file } = memoryMiB(child.pid);
  return { rss, anon, file, heapUsed: await heapUsedMiB(port) };
}

/** `coxswain all` right after `ALERTS` notifications were delivered to the web console. */
async function allUnderAlerts(nodeOptions: string) {
  const template = multiAlertFixture();
  return withRole('all', nodeOptions, async (child, port) => {
    await sleep(SETTLE_MS);
    const before = await reading(child, port);
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
    while ((await deliveredCount(port)) < ALERTS - refused) await sleep(200);
    const seconds = (Date.now() - started) / 1000;
    const after = await reading(child, port);
    const peakMiB = memoryMiB(child.pid).peak;
    agent.destroy();
    await sleep(10_000);
    const settled = await reading(child, port);
    return {
      alerts: ALERTS,
      refused,
      seconds,
      alertsPerSecond: Math.round(ALERTS / seconds),
      idle: before,
      after,
      peakMiB,
      tenSecondsLater: settled,
    };
  });
}

/** The V8 heap after a full collection, before and after the same load, in one process. */
function heapAfterGc() {
  const stdout = execFileSync(
    process.execPath,
    ['--expose-gc', 'bench/heap-after-gc.ts', String(ALERTS)],
    { cwd: ROOT, encoding: 'utf8' },
  );
  // The figures are its last line; a warning logged before them is not.
  const last = stdout.trim().split('\n').at(-1) ?? '';
  const { before, after } = JSON.parse(last) as { before: number; after: number };
  return {
    beforeMiB: before,
    afterMiB: after,
    retainedBytesPerAlert: Math.round(((after - before) * 1024 * 1024) / ALERTS),
  };
}

function summary(readings: Reading[]) {
  const of = (pick: (r: Reading) => number) => {
    const values = readings.map(pick).sort((a, b) => a - b);
    return {
      median: round(values[Math.floor(values.length / 2)] ?? Number.NaN),
      min: round(values[0] ?? Number.NaN),
      max: round(values[values.length - 1] ?? Number.NaN),
    };
  };
  return {
    rssMiB: of((r) => r.rss),
    anonMiB: of((r) => r.anon),
    fileMiB: of((r) => r.file),
    heapUsedMiB: of((r) => r.heapUsed),
  };
}

function printIdle(nodeOptions: Record<Role, string>, idle: Record<Role, Reading[]>): void {
  const spread = (s: { median: number; min: number; max: number }) =>
    `${s.median.toFixed(1)} (${s.min.toFixed(1)}–${s.max.toFixed(1)})`;
  console.log(
    `\nMemory: compiled dist/, no chat platform, no model; MiB, median (min–max) of ${RUNS} starts, ` +
      `${SETTLE_MS / 1000} s after /readyz; the image's malloc settings: ${mallocText()}`,
  );
  console.table(
    ROLES.map((role) => {
      const s = summary(idle[role]);
      return {
        role,
        NODE_OPTIONS: nodeOptions[role],
        'RSS (target)': `${spread(s.rssMiB)} (≤ ${TARGET_MIB[role]})`,
        anonymous: spread(s.anonMiB),
        'mapped files': spread(s.fileMiB),
        'V8 heap used': spread(s.heapUsedMiB),
      };
    }),
  );
}

function mallocText(): string {
  const entries = Object.entries(MALLOC_ENV);
  return entries.length === 0 ? "glibc's defaults" : entries.map(([k, v]) => `${k}=${v}`).join(' ');
}

function printLoad(load: Awaited<ReturnType<typeof allUnderAlerts>>): void {
  const row = (moment: string, r: Reading) => ({
    moment,
    'RSS MiB': r.rss.toFixed(1),
    'anonymous MiB': r.anon.toFixed(1),
    'V8 heap used MiB': r.heapUsed.toFixed(1),
  });
  console.log(`\ncoxswain all, ${ALERTS} multi-alert notifications from webhook to web console`);
  console.table([
    row('idle', load.idle),
    row(`right after the ${ALERTS}th delivery (target ≤ ${TARGET_MIB.allAfterAlerts})`, load.after),
    row('10 s later', load.tenSecondsLater),
  ]);
  console.log(
    `peak RSS ${load.peakMiB.toFixed(1)} MiB; all delivered in ${load.seconds.toFixed(1)} s ` +
      `(${load.alertsPerSecond} alerts/s end to end), ${load.refused} refused`,
  );
}

async function heapUsedMiB(port: number): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  const bytes = Number(
    /^coxswain_nodejs_heap_size_used_bytes (\S+)/m.exec(text)?.[1] ?? Number.NaN,
  );
  return bytes / 1024 / 1024;
}

function round(value: number): number {
  return Math.round(value * 10) / 10;
}
