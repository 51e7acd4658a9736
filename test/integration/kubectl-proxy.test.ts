import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { proposeSetResources } from '../../src/tools/kubernetes/actions/propose.ts';
import { type Cluster, connect } from '../../src/tools/kubernetes/cluster.ts';
import { listPods } from '../../src/tools/kubernetes/read/index.ts';
import { runTool } from '../../src/tools/tool.ts';
import { type RunningKubectl, startKubectl } from '../support/kubectl.ts';
import { useSandbox } from '../support/sandbox.ts';

/**
 * The real `kubectl proxy` in front of the sandbox: the bot is given what a person gets from it,
 * a kubeconfig with `server: http://127.0.0.1:PORT` and no credentials at all, and reads and
 * proposes through it as kubectl does.
 */
const sandbox = useSandbox(['oom-crashloop']);
let proxy: RunningKubectl | undefined;
let cluster: Cluster;

beforeAll(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'coxswain-proxy-'));
  const started = startKubectl({ kubeconfig: sandbox.kubeconfig, cacheDir: join(dir, 'cache') }, [
    'proxy',
    '--port=0',
  ]);
  proxy = started;
  const url = await new Promise<string>((resolve, reject) => {
    started.child.stdout.on('data', () => {
      const port = /Starting to serve on 127\.0\.0\.1:(\d+)/.exec(started.printed.stdout)?.[1];
      if (port !== undefined) resolve(`http://127.0.0.1:${port}`);
    });
    started.child.once('exit', (code) =>
      reject(new Error(`kubectl proxy exited with ${code}: ${started.printed.stdout}`)),
    );
  });
  const kubeconfig = join(dir, 'kubeconfig');
  writeFileSync(
    kubeconfig,
    stringify({
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [{ name: 'proxy', cluster: { server: url } }],
      contexts: [{ name: 'proxy', context: { cluster: 'proxy' } }],
      'current-context': 'proxy',
    }),
  );
  cluster = connect({ name: 'proxied', kubeconfig });
}, 30_000);

afterAll(() => {
  proxy?.child.kill('SIGTERM');
});

describe('a kubeconfig from kubectl proxy (plain http, no credentials)', () => {
  it('serves the read tools', async () => {
    const result = await runTool(listPods, { cluster }, { namespace: 'payments' });

    if (!result.ok) throw new Error(result.error);
    expect(result.text).toContain('payments-api');
    expect(result.text).toMatch(/CrashLoopBackOff|OOMKilled/);
  });

  it('proposes a change with the API server dry-run diff', async () => {
    const action = await proposeSetResources(cluster, {
      namespace: 'payments',
      name: 'payments-api',
      container: 'api',
      limits: { memory: '384Mi' },
    });

    expect(action.diff).toContain('+              memory: 384Mi');
    expect(action.target.uid).toMatch(/\S/);
  });
});
