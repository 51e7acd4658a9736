import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect } from '../../src/tools/kubernetes/cluster.ts';
import { type FixtureCluster, startFixtureCluster } from '../eval/support/fixture-cluster.ts';
import { loadScenario, SCENARIOS_DIR } from '../eval/support/scenario.ts';

/** The eval's recorded cluster, as the real client library sees it. */
const scenario = loadScenario(join(SCENARIOS_DIR, 'crash-connection-refused-postgres.yaml'));
const pod = scenario.objects.find((o) => o.kind === 'Pod')?.metadata.name ?? '';
let fixture: FixtureCluster;
let cluster: ReturnType<typeof connect>;

beforeAll(async () => {
  fixture = await startFixtureCluster(scenario, mkdtempSync(join(tmpdir(), 'fixture-')));
  cluster = connect({ name: 'fixture', kubeconfig: fixture.kubeconfig });
});

afterAll(() => fixture.close());

async function statusOf(call: Promise<unknown>): Promise<{ code: number; body: string }> {
  try {
    await call;
    return { code: 200, body: '' };
  } catch (error) {
    const e = error as { code?: number; body?: unknown };
    return { code: e.code ?? 0, body: String(e.body) };
  }
}

describe('fixture cluster', () => {
  it('lists a namespace and filters by label, and nothing from other namespaces', async () => {
    const mine = await cluster.core.listNamespacedPod({
      namespace: 'shop',
      labelSelector: 'app.kubernetes.io/name=orders',
    });
    const none = await cluster.core.listNamespacedPod({
      namespace: 'shop',
      labelSelector: 'app.kubernetes.io/name=other',
    });
    const elsewhere = await cluster.core.listNamespacedPod({ namespace: 'default' });

    expect(mine.items.map((p) => p.metadata?.name)).toEqual([pod]);
    expect(none.items).toEqual([]);
    expect(elsewhere.items).toEqual([]);
  });

  it('moves the recorded times so the last restart is as recent as when it was read', async () => {
    const [read] = (await cluster.core.listNamespacedPod({ namespace: 'shop' })).items;

    const finished = read?.status?.containerStatuses?.[0]?.lastState?.terminated?.finishedAt;
    const ago = Date.now() - new Date(finished ?? 0).getTime();
    expect(ago).toBeGreaterThan(60_000);
    expect(ago).toBeLessThan(10 * 60_000);
  });

  it('serves the previous log cut by tailLines and limitBytes, and 400 when there is none', async () => {
    const tail = await cluster.core.readNamespacedPodLog({
      name: pod,
      namespace: 'shop',
      container: 'app',
      previous: true,
      tailLines: 2,
    });
    const cut = await cluster.core.readNamespacedPodLog({
      name: pod,
      namespace: 'shop',
      container: 'app',
      previous: true,
      limitBytes: 10,
    });
    const current = await statusOf(
      cluster.core.readNamespacedPodLog({ name: pod, namespace: 'shop', container: 'app' }),
    );

    expect(String(tail).trim().split('\n')).toHaveLength(2);
    expect(String(tail)).toContain('connection refused');
    expect(String(cut)).toHaveLength(10);
    expect(current.code).toBe(400);
    expect(current.body).toContain('is waiting to start: CrashLoopBackOff');
  });

  it('says there is no previous container as the API server does', async () => {
    const other = { ...scenario, logs: [] };
    const empty = await startFixtureCluster(other, mkdtempSync(join(tmpdir(), 'fixture-')));
    const client = connect({ name: 'empty', kubeconfig: empty.kubeconfig });

    const answer = await statusOf(
      client.core.readNamespacedPodLog({ name: pod, namespace: 'shop', previous: true }),
    );
    await empty.close();

    expect(answer.code).toBe(400);
    expect(answer.body).toContain(
      `previous terminated container \\"app\\" in pod \\"${pod}\\" not found`,
    );
  });

  it('refuses writes, previews a dry-run patch without keeping it, and has no Argo CD', async () => {
    const deployment = '/apis/apps/v1/namespaces/shop/deployments/orders';
    const body = { spec: { replicas: 5 } };
    const contentType = 'application/merge-patch+json';

    const write = await statusOf(cluster.write('PATCH', deployment, { body, contentType }));
    const preview = (await cluster.write('PATCH', deployment, {
      query: { dryRun: 'All' },
      body,
      contentType,
    })) as { spec: { replicas: number } };
    const after = (await cluster.json('GET', deployment)) as { spec: { replicas: number } };
    const argo = await statusOf(cluster.json('GET', '/apis/argoproj.io/v1alpha1/applications'));
    const deletion = await statusOf(cluster.write('DELETE', `/api/v1/namespaces/shop/pods/${pod}`));

    expect(write.code).toBe(405);
    expect(preview.spec.replicas).toBe(5);
    expect(after.spec.replicas).toBe(1);
    expect(argo.code).toBe(404);
    expect(deletion.code).toBe(405);
  });
});
