import { type ChildProcess, spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/**
 * Node's on-disk compile cache for the CLI's modules, shared by every run: each run would
 * otherwise strip and compile the same few hundred files again. Entries are keyed by content, so
 * an edited file is compiled afresh.
 */
const COMPILE_CACHE = join(tmpdir(), 'coxswain-test-compile-cache');

export type CliRun = {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  exited: Promise<number | null>;
  /** Waits until stdout matches, failing with what was printed if it does not in time. */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>;
};

/** Runs `coxswain` as a user would: the repository's bin, on the Node that npm puts on the PATH. */
export function runCli(args: string[], env: Record<string, string | undefined> = {}): CliRun {
  const childEnv: Record<string, string> = {};
  const inherited = { NODE_COMPILE_CACHE: COMPILE_CACHE, ...process.env };
  for (const [name, value] of Object.entries({ ...inherited, ...env })) {
    if (value !== undefined) childEnv[name] = value;
  }
  const child = spawn(process.execPath, ['bin/coxswain.js', ...args], { cwd: ROOT, env: childEnv });
  let out = '';
  let err = '';
  child.stdout.on('data', (chunk: Buffer) => {
    out += chunk.toString();
  });
  child.stderr.on('data', (chunk: Buffer) => {
    err += chunk.toString();
  });
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => resolve(code)),
  );
  return {
    child,
    stdout: () => out,
    stderr: () => err,
    exited,
    async waitFor(pattern, timeoutMs = 15_000) {
      const deadline = Date.now() + timeoutMs;
      while (Date.now() < deadline) {
        const match = out.match(pattern);
        if (match !== null) return match;
        if (child.exitCode !== null) break;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      throw new Error(`stdout never matched ${pattern}\nstdout:\n${out}\nstderr:\n${err}`);
    },
  };
}

/** Pids of the live children of `pid`, read from /proc. */
export function childPids(pid: number): number[] {
  const children: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(fields[1]) === pid) children.push(Number(name));
    } catch {
      // The process ended while we looked.
    }
  }
  return children;
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
