import { describe, expect, it } from 'vitest';
import { clusterStatus, readClusterHealth } from '../../src/commands/status.ts';
import { eventually, useSandbox } from '../support/sandbox.ts';

/**
 * What `status` costs the API server, counted by the sandbox: three cluster-wide lists (nodes,
 * pods, deployments) whatever the number of namespaces, paged with `limit` and `continue` on a
 * big cluster, and never a request per namespace or per pod.
 */
const sandbox = useSandbox(['healthy']);
const NAMESPACES = 12;
const REPLICAS = 3;

/** A deployment in each of `namespaces` new namespaces; resolves with every pod's namespace. */
async function spreadOver(namespaces: number): Promise<string[]> {
  for (let i = 0; i < namespaces; i++) {
    const namespace = `team-${i}`;
    await sandbox.cluster.core.createNamespace({ body: { metadata: { name: namespace } } });
    await sandbox.cluster.apps.createNamespacedDeployment({
      namespace,
      body: {
        metadata: { name: 'web', namespace },
        spec: {
          replicas: REPLICAS,
          selector: { matchLabels: { app: 'web' } },
          template: {
            metadata: { labels: { app: 'web' } },
            spec: { containers: [{ name: 'web', image: 'nginx:1.27' }] },
          },
        },
      },
    });
  }
  // Every pod running, so that two readings of the cluster agree.
  return eventually(async () => {
    const pods = (await sandbox.cluster.core.listPodForAllNamespaces()).items;
    const running = pods.filter((p) => p.status?.phase === 'Running').length;
    return running === pods.length && running >= namespaces * REPLICAS
      ? pods.map((p) => p.metadata?.namespace ?? '')
      : undefined;
  });
}

describe('status API calls', () => {
  it('reads a cluster of many namespaces in three cluster-wide lists', async () => {
    const pods = await spreadOver(NAMESPACES);
    const namespaces = new Set(pods).size;
    sandbox.resetRequests();

    const status = await clusterStatus(sandbox.cluster, ['*']);

    expect(sandbox.requests.map((r) => `${r.method} ${r.path}`).sort()).toEqual([
      'GET /api/v1/nodes',
      'GET /api/v1/pods',
      'GET /apis/apps/v1/deployments',
    ]);
    expect(namespaces).toBeGreaterThan(NAMESPACES);
    expect(status.pods).toEqual({ healthy: pods.length, total: pods.length });
    expect(status.message.fields).toContainEqual({
      label: 'Namespaces',
      value: String(namespaces),
    });
  });

  it('pages a big list with limit and continue, and reads the same cluster', async () => {
    const whole = await readClusterHealth(sandbox.cluster);
    const pods = Object.values(whole.namespaces).reduce((sum, ns) => sum + ns.pods.total, 0);
    const deployments = Object.values(whole.namespaces).reduce(
      (sum, ns) => sum + ns.deployments.total,
      0,
    );
    sandbox.resetRequests();

    const paged = await readClusterHealth(sandbox.cluster, 5);

    expect(paged).toEqual(whole);
    const count = (path: string) => sandbox.requests.filter((r) => r.path === path).length;
    expect(count('/api/v1/pods')).toBe(Math.ceil(pods / 5));
    expect(count('/apis/apps/v1/deployments')).toBe(Math.ceil(deployments / 5));
    expect(count('/api/v1/nodes')).toBe(Math.ceil(whole.nodes.length / 5));
    expect(sandbox.requests.filter((r) => r.path.includes('/namespaces/'))).toEqual([]);
  });
});
