import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface, type Interface } from 'node:readline';
import { promisify } from 'node:util';
import { renderPlainText } from '../src/chat/plain-text.ts';
import { clusterStatus } from '../src/commands/status.ts';
import { freePort } from '../src/runtime/embedded-redis.ts';
import { connect } from '../src/tools/kubernetes/cluster.ts';
import { type Figures, ROOT } from './support.ts';

/**
 * `status` of a big cluster: the sandbox in a process of its own (bench/sandbox-world.ts) with
 * the demo's scenarios and 5,000 more pods (`BENCH_STATUS_PODS`), 100 to a namespace, and the
 * status command against it: the API requests one reading makes (counted by the sandbox, every
 * page of a paged list counted), the time one reading takes in this process (as a worker answers
 * `status` in chat), median of `RUNS`, and the wall time of the real `coxswain status` (a new
 * Node process each run, its start-up included), median of `RUNS`; with the size of the message.
 */
const PODS = Number(process.env.BENCH_STATUS_PODS ?? 5_000);
const RUNS = 5;
const TARGET_CALLS = 10;
const TARGET_MS = 1_500;
const exec = promisify(execFile);
/** The kernel's clock ticks per second (USER_HZ), 100 on Linux. */
const TICKS_PER_SECOND = 100;

export async function benchStatusScale(): Promise<Figures> {
  const world = await sandboxWorld(PODS);
  const dir = mkdtempSync(join(tmpdir(), 'coxswain-bench-status-scale-'));
  try {
    const kubeconfig = join(dir, 'kubeconfig');
    writeFileSync(kubeconfig, world.kubeconfig, { mode: 0o600 });
    const cluster = connect({ name: 'sandbox', kubeconfig });
    await world.requests();
    const inProcess: number[] = [];
    const cpu: { client: number; sandbox: number }[] = [];
    const calls: number[] = [];
    let served: string[] = [];
    let text = '';
    let pods = 0;
    let namespaces = 0;
    for (let i = 0; i < RUNS; i++) {
      const began = performance.now();
      const client = process.cpuUsage();
      const sandbox = cpuMs(world.pid);
      const status = await clusterStatus(cluster);
      inProcess.push(performance.now() - began);
      const used = process.cpuUsage(client);
      cpu.push({ client: (used.user + used.system) / 1000, sandbox: cpuMs(world.pid) - sandbox });
      served = await world.requests();
      calls.push(served.length);
      text = renderPlainText(status.message);
      pods = status.pods.total;
      namespaces = Number(status.message.fields?.find((f) => f.label === 'Namespaces')?.value);
    }
    const { cli, cliCpu } = await timeCli(kubeconfig);
    const cliCalls = (await world.requests()).length / RUNS;
    const figures = {
      targets: { apiCalls: TARGET_CALLS, ms: TARGET_MS },
      pods,
      namespaces,
      apiCalls: Math.max(...calls),
      cliApiCalls: cliCalls,
      requests: served,
      inProcessMs: median(inProcess),
      inProcessMaxMs: Math.max(...inProcess),
      clientCpuMs: median(cpu.map((c) => c.client)),
      sandboxCpuMs: median(cpu.map((c) => c.sandbox)),
      cliMs: median(cli),
      cliMaxMs: Math.max(...cli),
      cliCpuMs: median(cliCpu),
      messageChars: text.length,
    };
    console.log(`\n## status of a big cluster (${pods} pods in ${namespaces} namespaces)`);
    console.log(
      `API calls per status: ${figures.apiCalls} (target ≤ ${TARGET_CALLS}); the CLI's ${cliCalls}`,
    );
    console.log(
      `one status in process: median ${ms(figures.inProcessMs)}, worst ${ms(figures.inProcessMaxMs)} (target ≤ ${ms(TARGET_MS)}); coxswain status: median ${ms(figures.cliMs)}, worst ${ms(figures.cliMaxMs)}, its Node start included`,
    );
    console.log(
      `CPU time of one status, median: ${ms(figures.clientCpuMs)} in this process, ${ms(figures.sandboxCpuMs)} in the sandbox, ${ms(figures.cliCpuMs)} in coxswain status's process (the machine is shared: wall times include waiting for a core)`,
    );
    console.log(`the message: ${text.length} characters as plain text`);
    return figures;
  } finally {
    await world.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The real `coxswain status`, a new Node process each run: wall time and its CPU time. */
async function timeCli(kubeconfig: string): Promise<{ cli: number[]; cliCpu: number[] }> {
  const cli: number[] = [];
  const cliCpu: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const began = performance.now();
    // bash's `time` gives the CPU time of the command's process, which Node cannot.
    const { stderr } = await exec(
      'bash',
      ['-c', 'TIMEFORMAT="%U %S"; time "$0" bin/coxswain.js status >/dev/null', process.execPath],
      { cwd: ROOT, env: { ...process.env, KUBECONFIG: kubeconfig, COXSWAIN_CONFIG: '' } },
    );
    cli.push(performance.now() - began);
    const [user, system] = stderr.trim().split('\n').at(-1)?.split(' ').map(Number) ?? [];
    cliCpu.push(((user ?? 0) + (system ?? 0)) * 1000);
  }
  return { cli, cliCpu };
}

type World = {
  kubeconfig: string;
  pid: number;
  requests(): Promise<string[]>;
  stop(): Promise<void>;
};

/** The sandbox world in its own process, asked over stdin for the requests it served. */
async function sandboxWorld(pods: number): Promise<World> {
  const child = spawn(process.execPath, ['bench/sandbox-world.ts'], {
    cwd: ROOT,
    env: { ...process.env, BENCH_PODS: String(pods), PORT: String(await freePort()) },
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const lines = createInterface({ input: child.stdout as NonNullable<ChildProcess['stdout']> });
  const next = lineReader(lines);
  let kubeconfig: string | undefined;
  for (;;) {
    const event = (await next()) as { event: string; kubeconfig?: string };
    if (event.event === 'serving') kubeconfig = event.kubeconfig;
    if (event.event === (pods > 0 ? 'running' : 'serving')) break;
  }
  if (kubeconfig === undefined) throw new Error('the sandbox did not start');
  return {
    kubeconfig,
    pid: child.pid ?? 0,
    async requests() {
      child.stdin?.write('requests\n');
      return ((await next()) as { requests: string[] }).requests;
    },
    async stop() {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    },
  };
}

function lineReader(lines: Interface): () => Promise<unknown> {
  const iterator = lines[Symbol.asyncIterator]();
  return async () => {
    const { value, done } = await iterator.next();
    if (done) throw new Error('the sandbox stopped');
    return JSON.parse(value as string);
  };
}

/** A process's CPU time (user and system) so far, from /proc, in milliseconds. */
function cpuMs(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / TICKS_PER_SECOND;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return Math.round(sorted[Math.floor(sorted.length / 2)] ?? 0);
}

function ms(value: number): string {
  return value >= 1000 ? `${(value / 1000).toFixed(2)} s` : `${Math.round(value)} ms`;
}
