import {
  ApiException,
  KubeConfig,
  PatchStrategy,
  setHeaderOptions,
  type V1Deployment,
  type V1Node,
  type V1Pod,
  Watch,
} from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { eventually, type TestSandbox, useSandbox } from '../support/sandbox.ts';

/**
 * The sandbox's state follows the spec the way a cluster's does, seen through the client library:
 * controllers replace pods, the kubelet starts what it can, nodes report what runs on them, and
 * the API keeps its rules (conflicts, dry runs, preconditions, RBAC, metrics-server).
 */

type Failure = { code: number; status: { kind?: string; reason?: string; message?: string } };

/** The API's refusal of `request`: its HTTP code and the Kubernetes Status it answered with. */
async function failure(request: Promise<unknown>): Promise<Failure> {
  try {
    await request;
  } catch (error) {
    if (!(error instanceof ApiException)) throw error;
    const body = error.body as unknown;
    return { code: error.code, status: typeof body === 'string' ? JSON.parse(body) : body };
  }
  throw new Error('the request succeeded, but a refusal was expected');
}

async function livePods(sandbox: TestSandbox, namespace: string, selector: string) {
  const list = await sandbox.cluster.core.listNamespacedPod({
    namespace,
    labelSelector: selector,
  });
  return list.items.filter((pod) => pod.metadata?.deletionTimestamp === undefined);
}

const isReady = (pod: V1Pod) =>
  pod.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') === true;

const condition = (node: V1Node, type: string) =>
  node.status?.conditions?.find((c) => c.type === type);

describe('the sandbox simulation', () => {
  const sandbox = useSandbox([
    'oom-crashloop',
    'bad-rollout',
    'healthy',
    'missing-configmap',
    'node-memory-pressure',
  ]);

  it('arrives at now with the history its scenario timelines played', async () => {
    const pods = await livePods(sandbox, 'payments', 'app=payments-api');
    const orders = await sandbox.cluster.apps.readNamespacedDeployment({
      name: 'orders-api',
      namespace: 'orders',
    });

    expect(pods).toHaveLength(2);
    for (const pod of pods) {
      const [status] = pod.status?.containerStatuses ?? [];
      expect(status?.restartCount).toBeGreaterThan(5);
      expect(status?.lastState?.terminated?.reason).toBe('OOMKilled');
      expect(status?.lastState?.terminated?.exitCode).toBe(137);
    }
    const progressing = orders.status?.conditions?.find((c) => c.type === 'Progressing');
    expect(progressing?.status).toBe('False');
    expect(progressing?.reason).toBe('ProgressDeadlineExceeded');
  });

  it('ends the OOM loop when the memory limit is raised', async () => {
    const before = (await livePods(sandbox, 'payments', 'app=payments-api')).map(
      (p) => p.metadata?.name,
    );

    await sandbox.cluster.apps.patchNamespacedDeployment(
      {
        name: 'payments-api',
        namespace: 'payments',
        body: {
          spec: {
            template: {
              spec: { containers: [{ name: 'api', resources: { limits: { memory: '512Mi' } } }] },
            },
          },
        },
      },
      setHeaderOptions('Content-Type', PatchStrategy.StrategicMergePatch),
    );
    const deployment = await eventually(
      async () => {
        const d = await sandbox.cluster.apps.readNamespacedDeployment({
          name: 'payments-api',
          namespace: 'payments',
        });
        const s = d.status;
        return s?.updatedReplicas === 2 && s.availableReplicas === 2 && s.replicas === 2
          ? d
          : undefined;
      },
      20_000,
      'payments-api to roll out',
    );
    const pods = await eventually(async () => {
      const all = await sandbox.cluster.core.listNamespacedPod({
        namespace: 'payments',
        labelSelector: 'app=payments-api',
      });
      return all.items.length === 2 ? all.items : undefined;
    }, 10_000);

    const container = deployment.spec?.template.spec?.containers[0];
    expect(container?.resources?.limits?.memory).toBe('512Mi');
    expect(container?.resources?.requests).toEqual({ cpu: '250m', memory: '256Mi' });
    expect(deployment.status?.conditions?.find((c) => c.type === 'Available')?.status).toBe('True');
    expect(pods.map((p) => p.metadata?.name).filter((name) => before.includes(name))).toEqual([]);
    for (const pod of pods) {
      const [status] = pod.status?.containerStatuses ?? [];
      expect(pod.status?.phase).toBe('Running');
      expect(isReady(pod)).toBe(true);
      expect(status?.state?.running).toBeDefined();
      expect(status?.restartCount).toBe(0);
      expect(pod.spec?.containers[0]?.resources?.limits?.memory).toBe('512Mi');
    }
  });

  it('scales a deployment up and down', async () => {
    const scaleTo = (replicas: number) =>
      sandbox.cluster.apps.replaceNamespacedDeploymentScale({
        name: 'cart',
        namespace: 'shop',
        body: { metadata: { name: 'cart', namespace: 'shop' }, spec: { replicas } },
      });
    const readyCount = (count: number) => async () => {
      const pods = await livePods(sandbox, 'shop', 'app=cart');
      return pods.length === count && pods.every(isReady) ? pods : undefined;
    };

    const up = await scaleTo(4);
    const four = await eventually(readyCount(4), 15_000, 'four ready cart pods');
    const down = await scaleTo(1);
    const one = await eventually(readyCount(1), 15_000, 'one cart pod');
    const remaining = await eventually(async () => {
      const all = await sandbox.cluster.core.listNamespacedPod({
        namespace: 'shop',
        labelSelector: 'app=cart',
      });
      return all.items.length === 1 ? all.items : undefined;
    }, 10_000);

    expect(up.spec?.replicas).toBe(4);
    expect(new Set(four.map((p) => p.metadata?.name)).size).toBe(4);
    expect(down.spec?.replicas).toBe(1);
    expect(remaining.map((p) => p.metadata?.name)).toEqual(one.map((p) => p.metadata?.name));
  });

  it('replaces a deleted pod with a new one of the same replica set', async () => {
    const before = await livePods(sandbox, 'shop', 'app=frontend');
    const victim = before[0]?.metadata?.name ?? '';
    const owner = before[0]?.metadata?.ownerReferences?.[0]?.uid;

    await sandbox.cluster.core.deleteNamespacedPod({ name: victim, namespace: 'shop' });
    const after = await eventually(async () => {
      const live = await livePods(sandbox, 'shop', 'app=frontend');
      return live.length === 3 && !live.some((p) => p.metadata?.name === victim) ? live : undefined;
    }, 10_000);
    const gone = await eventually(async () => {
      const all = await sandbox.cluster.core.listNamespacedPod({ namespace: 'shop' });
      return all.items.some((p) => p.metadata?.name === victim) ? undefined : true;
    }, 10_000);

    const known = before.map((p) => p.metadata?.name);
    const replacements = after.filter((p) => !known.includes(p.metadata?.name));
    expect(replacements).toHaveLength(1);
    expect(replacements[0]?.metadata?.name).toMatch(/^frontend-[a-z0-9]+-[a-z0-9]{5}$/);
    expect(replacements[0]?.metadata?.ownerReferences?.[0]?.uid).toBe(owner);
    expect(gone).toBe(true);
  });

  it('starts pods that waited for a ConfigMap once it exists', async () => {
    const waiting = await livePods(sandbox, 'inventory', 'app=inventory-api');

    await sandbox.cluster.core.createNamespacedConfigMap({
      namespace: 'inventory',
      body: { metadata: { name: 'inventory-config' }, data: { DB_HOST: 'inventory-db' } },
    });
    const started = await eventually(async () => {
      const pods = await livePods(sandbox, 'inventory', 'app=inventory-api');
      return pods.length === 2 && pods.every(isReady) ? pods : undefined;
    }, 15_000);

    expect(waiting.map((p) => p.status?.containerStatuses?.[0]?.state?.waiting?.reason)).toEqual([
      'CreateContainerConfigError',
      'CreateContainerConfigError',
    ]);
    for (const pod of started) {
      expect(pod.status?.phase).toBe('Running');
      expect(pod.status?.containerStatuses?.[0]?.state?.running).toBeDefined();
    }
  });

  it("clears a node's MemoryPressure when the pods that filled it go", async () => {
    const before = await sandbox.cluster.core.readNode({ name: 'sandbox-worker3' });

    await sandbox.cluster.apps.patchNamespacedDeployment(
      { name: 'report-builder', namespace: 'batch', body: { spec: { replicas: 1 } } },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
    const after = await eventually(async () => {
      const node = await sandbox.cluster.core.readNode({ name: 'sandbox-worker3' });
      return condition(node, 'MemoryPressure')?.status === 'False' ? node : undefined;
    }, 15_000);

    expect(condition(before, 'MemoryPressure')?.status).toBe('True');
    expect(condition(after, 'MemoryPressure')?.reason).toBe('KubeletHasSufficientMemory');
    expect(after.spec?.taints ?? []).not.toContainEqual(
      expect.objectContaining({ key: 'node.kubernetes.io/memory-pressure' }),
    );
    expect(condition(after, 'Ready')?.status).toBe('True');
  });

  it('streams a MODIFIED event to a watch', async () => {
    const kc = new KubeConfig();
    kc.loadFromFile(sandbox.kubeconfig);
    const list = await sandbox.cluster.core.listNamespacedConfigMap({ namespace: 'shop' });
    const events: { type: string; name: string; data: unknown }[] = [];
    let ended: unknown = 'open';

    const watching = new Watch(kc).watch(
      '/api/v1/namespaces/shop/configmaps',
      { resourceVersion: list.metadata?.resourceVersion },
      (type, object) => events.push({ type, name: object.metadata.name, data: object.data }),
      (error) => {
        ended = error;
      },
    );
    await sandbox.cluster.core.patchNamespacedConfigMap(
      { name: 'cart-config', namespace: 'shop', body: { data: { CART_TTL: '48h' } } },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
    const controller = await watching;
    const modified = await eventually(
      async () => events.find((e) => e.type === 'MODIFIED'),
      5_000,
      'a MODIFIED event',
    );
    const endedBeforeAbort = ended;
    controller.abort();

    expect(modified.name).toBe('cart-config');
    expect(modified.data).toEqual({ CART_TTL: '48h', CURRENCY: 'EUR' });
    expect(endedBeforeAbort).toBe('open');
  });

  it('answers a watch at once even when nothing has changed yet', async () => {
    const list = await sandbox.cluster.core.listNamespacedConfigMap({ namespace: 'shop' });
    const url = `${sandbox.sandbox.url}/api/v1/namespaces/shop/configmaps?watch=true&resourceVersion=${list.metadata?.resourceVersion}`;
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), 5_000);

    const response = await fetch(url, { signal: controller.signal }).catch((error) => error);
    clearTimeout(timer);
    controller.abort();

    expect(response, 'the watch sent no response headers within 5 s').toBeInstanceOf(Response);
    expect((response as Response).status).toBe(200);
  });

  it('refuses a replace from a stale resourceVersion with 409', async () => {
    const read = await sandbox.cluster.core.readNamespacedConfigMap({
      name: 'cart-config',
      namespace: 'shop',
    });
    const first = await sandbox.cluster.core.replaceNamespacedConfigMap({
      name: 'cart-config',
      namespace: 'shop',
      body: { ...read, data: { ...read.data, CURRENCY: 'USD' } },
    });

    const refused = await failure(
      sandbox.cluster.core.replaceNamespacedConfigMap({
        name: 'cart-config',
        namespace: 'shop',
        body: { ...read, data: { ...read.data, CURRENCY: 'GBP' } },
      }),
    );
    const now = await sandbox.cluster.core.readNamespacedConfigMap({
      name: 'cart-config',
      namespace: 'shop',
    });

    expect(first.metadata?.resourceVersion).not.toBe(read.metadata?.resourceVersion);
    expect(refused.code).toBe(409);
    expect(refused.status.kind).toBe('Status');
    expect(refused.status.reason).toBe('Conflict');
    expect(refused.status.message).toContain('the object has been modified');
    expect(now.data?.CURRENCY).toBe('USD');
  });

  it('changes nothing on a dry run', async () => {
    const before = await sandbox.cluster.apps.readNamespacedDeployment({
      name: 'frontend',
      namespace: 'shop',
    });
    const [pod] = await livePods(sandbox, 'shop', 'app=frontend');
    const podName = pod?.metadata?.name ?? '';

    const patched: V1Deployment = await sandbox.cluster.apps.patchNamespacedDeployment(
      { name: 'frontend', namespace: 'shop', dryRun: 'All', body: { spec: { replicas: 7 } } },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
    await sandbox.cluster.core.createNamespacedConfigMap({
      namespace: 'shop',
      dryRun: 'All',
      body: { metadata: { name: 'dry-run-only' }, data: { a: '1' } },
    });
    await sandbox.cluster.core.deleteNamespacedPod({
      name: podName,
      namespace: 'shop',
      dryRun: 'All',
    });
    const after = await sandbox.cluster.apps.readNamespacedDeployment({
      name: 'frontend',
      namespace: 'shop',
    });
    const missing = await failure(
      sandbox.cluster.core.readNamespacedConfigMap({ name: 'dry-run-only', namespace: 'shop' }),
    );
    const stillThere = await sandbox.cluster.core.readNamespacedPod({
      name: podName,
      namespace: 'shop',
    });

    expect(patched.spec?.replicas).toBe(7);
    expect(after.spec?.replicas).toBe(3);
    expect(after.metadata?.resourceVersion).toBe(before.metadata?.resourceVersion);
    expect(after.metadata?.generation).toBe(before.metadata?.generation);
    expect(missing.code).toBe(404);
    expect(stillThere.metadata?.deletionTimestamp).toBeUndefined();
  });

  it('refuses a delete whose uid precondition does not match with 409', async () => {
    const [pod] = await livePods(sandbox, 'shop', 'app=frontend');
    const name = pod?.metadata?.name ?? '';

    const refused = await failure(
      sandbox.cluster.core.deleteNamespacedPod({
        name,
        namespace: 'shop',
        body: { preconditions: { uid: '00000000-0000-0000-0000-000000000000' } },
      }),
    );
    const still = await sandbox.cluster.core.readNamespacedPod({ name, namespace: 'shop' });

    expect(refused.code).toBe(409);
    expect(refused.status.reason).toBe('Conflict');
    expect(refused.status.message).toContain('Precondition failed: UID in precondition');
    expect(still.metadata?.uid).toBe(pod?.metadata?.uid);
    expect(still.metadata?.deletionTimestamp).toBeUndefined();
  });

  it('serves pod metrics from metrics.k8s.io', async () => {
    const metrics = (await sandbox.cluster.custom.listNamespacedCustomObject({
      group: 'metrics.k8s.io',
      version: 'v1beta1',
      namespace: 'shop',
      plural: 'pods',
    })) as {
      kind: string;
      items: {
        metadata: { name: string };
        containers: { name: string; usage: { cpu: string; memory: string } }[];
      }[];
    };
    const pods = await livePods(sandbox, 'shop', 'app=frontend');

    expect(metrics.kind).toBe('PodMetricsList');
    const frontend = metrics.items.filter((m) => m.metadata.name.startsWith('frontend-'));
    expect(frontend.map((m) => m.metadata.name).sort()).toEqual(
      pods.map((p) => p.metadata?.name).sort(),
    );
    for (const item of frontend) {
      expect(item.containers).toEqual([
        { name: 'frontend', usage: { cpu: '40000000n', memory: '98304Ki' } },
      ]);
    }
  });
});

describe('a sandbox without metrics-server, behind RBAC that denies deleting pods', () => {
  const sandbox = useSandbox(['healthy'], {
    metrics: false,
    deny: [{ verb: 'delete', resource: 'pods', namespace: 'shop' }],
  });

  it('answers 404 for metrics.k8s.io', async () => {
    const refused = await failure(
      sandbox.cluster.custom.listNamespacedCustomObject({
        group: 'metrics.k8s.io',
        version: 'v1beta1',
        namespace: 'shop',
        plural: 'pods',
      }),
    );

    expect(refused.code).toBe(404);
    expect(refused.status.kind).toBe('Status');
    expect(refused.status.reason).toBe('NotFound');
  });

  it('answers a denied request with 403 and a Kubernetes Status, and allows the rest', async () => {
    const [pod] = await livePods(sandbox, 'shop', 'app=frontend');
    const name = pod?.metadata?.name ?? '';

    const refused = await failure(
      sandbox.cluster.core.deleteNamespacedPod({ name, namespace: 'shop' }),
    );
    const read = await sandbox.cluster.core.readNamespacedPod({ name, namespace: 'shop' });

    expect(refused.code).toBe(403);
    expect(refused.status).toMatchObject({
      kind: 'Status',
      apiVersion: 'v1',
      status: 'Failure',
      reason: 'Forbidden',
      code: 403,
    });
    expect(refused.status.message).toBe(
      `pods "${name}" is forbidden: User "system:serviceaccount:coxswain:coxswain" cannot delete resource "pods" in API group "" in the namespace "shop"`,
    );
    expect(read.metadata?.deletionTimestamp).toBeUndefined();
  });
});
