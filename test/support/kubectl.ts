import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';

/**
 * The one way tests run the real kubectl (needs it on PATH): with a kubeconfig and a discovery
 * cache of its own, so parallel test files do not share kubectl's cache.
 */
export type KubectlEnv = { kubeconfig: string; cacheDir: string };

export type KubectlResult = {
  code: number | null;
  stdout: string;
  stderr: string;
  /** Interrupted by `stopAfterMs` while still running (kubectl then exits 1, as on Ctrl-C). */
  stopped?: boolean;
};

/** A kubectl still running (a watch, a followed log, a proxy) and what it printed so far. */
export type RunningKubectl = {
  child: ChildProcessWithoutNullStreams;
  printed: KubectlResult;
  done: Promise<KubectlResult>;
};

export type KubectlLimits = {
  /** A run longer than this is killed (code null). */
  timeoutMs?: number;
  /**
   * For a command that never ends by itself (`get -w`, `logs -f`): interrupted after this long,
   * as a person presses Ctrl-C, with what it printed until then as its result.
   */
  stopAfterMs?: number;
};

export function startKubectl(env: KubectlEnv, args: string[], input?: string): RunningKubectl {
  const child = spawn('kubectl', args, {
    env: { ...process.env, KUBECONFIG: env.kubeconfig, KUBECACHEDIR: env.cacheDir },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  const printed: KubectlResult = { code: null, stdout: '', stderr: '' };
  child.stdout.on('data', (chunk: Buffer) => {
    printed.stdout += chunk.toString();
  });
  child.stderr.on('data', (chunk: Buffer) => {
    printed.stderr += chunk.toString();
  });
  const done = new Promise<KubectlResult>((resolve) => {
    child.on('error', (error) => {
      printed.stderr += error.message;
      resolve({ ...printed });
    });
    child.on('close', (code) => {
      printed.code = code;
      resolve({ ...printed });
    });
  });
  child.stdin.on('error', () => {});
  child.stdin.end(input ?? '');
  return { child, printed, done };
}

export async function runKubectl(
  env: KubectlEnv,
  args: string[],
  input?: string,
  limits: KubectlLimits = {},
): Promise<KubectlResult> {
  const running = startKubectl(env, args, input);
  let stopped = false;
  const timers = [setTimeout(() => running.child.kill('SIGKILL'), limits.timeoutMs ?? 30_000)];
  if (limits.stopAfterMs !== undefined) {
    const stop = () => {
      stopped = running.child.exitCode === null;
      running.child.kill('SIGINT');
    };
    timers.push(setTimeout(stop, limits.stopAfterMs));
  }
  try {
    const result = await running.done;
    return stopped ? { ...result, stopped } : result;
  } finally {
    for (const timer of timers) clearTimeout(timer);
  }
}
