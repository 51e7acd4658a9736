import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { connect } from '../../src/tools/kubernetes/cluster.ts';
import { wrapKubernetesError } from '../../src/tools/kubernetes/errors.ts';

/** The Kubernetes client against a local API server over plain http: how it connects and gives up. */
let dir: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'coxswain-cluster-test-'));
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** An API server over plain http that answers a namespace list, or never answers at all. */
async function plainServer(answer: boolean): Promise<{ url: string; server: Server }> {
  const server = createServer((_req, res) => {
    if (!answer) return;
    res.setHeader('content-type', 'application/json');
    res.end(
      JSON.stringify({
        kind: 'NamespaceList',
        apiVersion: 'v1',
        metadata: {},
        items: [{ metadata: { name: 'seen-over-http' } }],
      }),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

/** What `kubectl proxy` is pointed at: a plain http server, no credentials, no TLS flags. */
function proxyKubeconfig(file: string, server: string): string {
  const path = join(dir, file);
  writeFileSync(
    path,
    stringify({
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [{ name: 'proxy', cluster: { server } }],
      contexts: [{ name: 'proxy', context: { cluster: 'proxy' } }],
      'current-context': 'proxy',
    }),
  );
  return path;
}

describe('a plain http server with no credentials', () => {
  it('is read as kubectl reads it', async () => {
    const { url, server } = await plainServer(true);
    try {
      const cluster = connect({ name: 'proxied', kubeconfig: proxyKubeconfig('proxy.yaml', url) });

      const list = await cluster.core.listNamespace();

      expect(cluster.server).toBe(url);
      expect(list.items.map((n) => n.metadata?.name)).toEqual(['seen-over-http']);
    } finally {
      server.close();
    }
  });
});

describe('every API call has a deadline', () => {
  it('fails a call the server never answers, saying so', async () => {
    const { url, server } = await plainServer(false);
    try {
      const cluster = connect({
        name: 'hung',
        kubeconfig: proxyKubeconfig('hung.yaml', url),
        timeoutSeconds: 1,
      });
      const started = Date.now();

      const error = await cluster.core.listNamespace().catch((e: unknown) => e);

      expect(Date.now() - started).toBeLessThan(5_000);
      expect(wrapKubernetesError(error, { verb: 'list', resource: 'namespaces' }).message).toBe(
        'the Kubernetes API server did not answer in time to list namespaces at cluster scope; it may be overloaded or unreachable',
      );
    } finally {
      server.closeAllConnections();
      server.close();
    }
  });
});
