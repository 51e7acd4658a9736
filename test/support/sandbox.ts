import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import {
  type Sandbox,
  type SandboxOptions,
  startSandbox,
} from '../../src/sandbox/start-sandbox.ts';
import { type Cluster, connect } from '../../src/tools/kubernetes/cluster.ts';

export type TestSandbox = {
  sandbox: Sandbox;
  cluster: Cluster;
  /** A kubeconfig file whose current context is the sandbox, for kubectl and the CLI. */
  kubeconfig: string;
  /** Every API request the sandbox served since the last `resetRequests`. */
  requests: { method: string; path: string; dryRun: boolean; watch: boolean }[];
  resetRequests(): void;
};

/**
 * A sandbox cluster for one test file, on a free port, with a client connected to it through a
 * kubeconfig file (the path a real installation takes). Closed after the file's tests.
 */
export function useSandbox(
  scenarios: string[],
  options: Omit<SandboxOptions, 'scenarios'> = {},
): TestSandbox {
  const state = { requests: [] as TestSandbox['requests'] } as TestSandbox;
  let dir = '';
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'coxswain-sandbox-test-'));
    state.sandbox = await startSandbox({
      ...options,
      scenarios,
      onRequest: (method, path, dryRun, watch) => {
        state.requests.push({ method, path, dryRun, watch });
        options.onRequest?.(method, path, dryRun, watch);
      },
    });
    state.kubeconfig = join(dir, 'kubeconfig');
    state.sandbox.writeKubeconfig(state.kubeconfig);
    state.cluster = connect({ name: 'sandbox', kubeconfig: state.kubeconfig });
  });
  afterAll(async () => {
    await state.sandbox?.close();
    rmSync(dir, { recursive: true, force: true });
  });
  state.resetRequests = () => {
    state.requests.length = 0;
  };
  return state;
}

/** Polls `check` until it returns a value other than undefined, or fails after `timeoutMs`. */
export async function eventually<T>(
  check: () => Promise<T | undefined>,
  timeoutMs = 15_000,
  what = 'condition',
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (error) {
      last = error;
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(
    `timed out waiting for ${what}${last instanceof Error ? `: ${last.message}` : ''}`,
  );
}
