import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { type Agent, request } from 'node:http';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../', import.meta.url));

/** What a bench returns for bench/results/latest.json: its figures by name. */
export type Figures = Record<string, unknown>;

export type Child = { process: ChildProcess; pid: number; stop(): Promise<void> };

/**
 * Spawns a Node script of the repository and waits until it answers 200 at `readyUrl`. A variable
 * given as undefined is left out of the child's environment, even if this process has it.
 * `BENCH_NODE_ARGS` goes before the script (`--cpu-prof --cpu-prof-dir=/tmp/prof` profiles the
 * servers a bench starts, which Node refuses in NODE_OPTIONS).
 */
export async function spawnNode(
  args: string[],
  env: Record<string, string | undefined>,
  readyUrl: string,
): Promise<Child> {
  const merged: Record<string, string | undefined> = {
    ...process.env,
    // The benchmarks post alerts from this machine without credentials, on purpose.
    ALERTMANAGER_AUTH: 'none',
    ...env,
  };
  const nodeArgs = (process.env.BENCH_NODE_ARGS ?? '').split(' ').filter((arg) => arg !== '');
  const child = spawn(process.execPath, [...nodeArgs, ...args], {
    cwd: ROOT,
    env: Object.fromEntries(Object.entries(merged).filter(([, value]) => value !== undefined)),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    out = (out + chunk.toString()).slice(-10_000);
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    out = (out + chunk.toString()).slice(-10_000);
  });
  const deadline = Date.now() + 15_000;
  while (!(await answers(readyUrl))) {
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`${args.join(' ')} did not start:\n${out}`);
    }
    await sleep(50);
  }
  return {
    process: child,
    pid: child.pid ?? 0,
    async stop() {
      if (child.exitCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    },
  };
}

/**
 * A process's memory from /proc, in MiB: resident in all (`rss`), of it anonymous memory (`anon`:
 * the V8 heap, native allocations, stacks) and pages of mapped files (`file`: mostly the `node`
 * binary's own code), and the peak resident size so far (`peak`).
 */
export function memoryMiB(pid: number): { rss: number; anon: number; file: number; peak: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const field = (name: string) =>
    Number(new RegExp(`${name}:\\s+(\\d+)`).exec(status)?.[1] ?? Number.NaN) / 1024;
  return {
    rss: field('VmRSS'),
    anon: field('RssAnon'),
    file: field('RssFile'),
    peak: field('VmHWM'),
  };
}

/** Resident set size of a process, from /proc, in MiB. */
export function rssMiB(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? Number.NaN);
  return kb / 1024;
}

export function sleep(ms: number) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export function multiAlertFixture(): Record<string, unknown> {
  return JSON.parse(
    readFileSync(new URL('../test/fixtures/alertmanager/multi.json', import.meta.url), 'utf8'),
  );
}

/** The multi-alert fixture under a group key of its own, so every post is a new job. */
export function uniqueMultiAlert(template: Record<string, unknown>, n: number): string {
  return JSON.stringify({
    ...template,
    groupKey: `{}:{alertname="KubeNodePressure", bench="${n}"}`,
  });
}

async function answers(url: string): Promise<boolean> {
  try {
    return (await fetch(url)).status === 200;
  } catch {
    return false;
  }
}

/** Posts one notification to the webhook and resolves with the status code. */
export function postAlert(agent: Agent, port: number, body: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        path: '/alerts/alertmanager',
        method: 'POST',
        agent,
        headers: { 'content-type': 'application/json' },
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/** Messages the bot has delivered to the web console, from its metrics. */
export async function deliveredCount(port: number): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  return Number(/^coxswain_messages_delivered_total\{platform="web"\} (\d+)/m.exec(text)?.[1] ?? 0);
}
