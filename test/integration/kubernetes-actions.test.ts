import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type KubernetesObject,
  PatchStrategy,
  setHeaderOptions,
  type V1Deployment,
  type V1Pod,
} from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { CoxswainError } from '../../src/errors.ts';
import { KubeAction } from '../../src/tools/kubernetes/actions/action.ts';
import { executeAction, TargetChangedError } from '../../src/tools/kubernetes/actions/execute.ts';
import {
  proposeDeletePod,
  proposePatch,
  proposeRestart,
  proposeRollback,
  proposeScale,
  proposeSetResources,
} from '../../src/tools/kubernetes/actions/propose.ts';
import { readTarget } from '../../src/tools/kubernetes/actions/target-api.ts';
import { connect } from '../../src/tools/kubernetes/cluster.ts';
import { rolloutStatus } from '../../src/tools/kubernetes/read/rollout.ts';
import { runTool } from '../../src/tools/tool.ts';
import { KubeGate } from '../support/kube-gate.ts';
import { eventually, useSandbox } from '../support/sandbox.ts';

/**
 * The write actions against the sandbox: a proposal reads its target, carries the server's
 * dry-run diff and changes nothing; executing it applies exactly that change as field manager
 * `coxswain`, and the cluster then does what the change promised. Executing is refused when the
 * target is no longer the object (or the state) the proposal was approved against.
 */
const sandbox = useSandbox(['healthy', 'oom-crashloop', 'bad-rollout']);

const MERGE = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
const IMAGE = 'ghcr.io/example/shop-cart:2.7.0';

/** A deployment of its own in namespace default, for a test that changes it, once its pods are ready. */
async function deployment(name: string, replicas = 2): Promise<V1Deployment> {
  await sandbox.cluster.apps.createNamespacedDeployment({
    namespace: 'default',
    body: {
      // With apiVersion and kind, as kubectl sends them: the sandbox defaults only objects that say their kind.
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name, labels: { app: name, team: 'platform' } },
      spec: {
        replicas,
        selector: { matchLabels: { app: name } },
        template: {
          metadata: { labels: { app: name } },
          spec: {
            containers: [
              {
                name: 'app',
                image: IMAGE,
                env: [{ name: 'API_TOKEN', value: 'not-for-chat' }],
                resources: { requests: { memory: '128Mi' }, limits: { memory: '256Mi' } },
              },
            ],
          },
        },
      },
    },
  });
  await eventually(
    async () => ((await readyPods('default', name)).length === replicas ? true : undefined),
    15_000,
    `${replicas} ready pods of ${name}`,
  );
  return sandbox.cluster.apps.readNamespacedDeployment({ namespace: 'default', name });
}

async function podsOf(namespace: string, app: string): Promise<V1Pod[]> {
  const list = await sandbox.cluster.core.listNamespacedPod({
    namespace,
    labelSelector: `app=${app}`,
  });
  return list.items;
}

/** Pods that are running, ready and not on their way out. */
async function readyPods(namespace: string, app: string): Promise<V1Pod[]> {
  return (await podsOf(namespace, app)).filter(
    (p) =>
      p.metadata?.deletionTimestamp === undefined &&
      p.status?.phase === 'Running' &&
      (p.status.containerStatuses ?? []).every((s) => s.ready),
  );
}

function read(namespace: string, name: string): Promise<V1Deployment> {
  return sandbox.cluster.apps.readNamespacedDeployment({ namespace, name });
}

function memoryLimit(d: V1Deployment): string | undefined {
  return d.spec?.template.spec?.containers[0]?.resources?.limits?.memory;
}

function managers(object: KubernetesObject): string[] {
  return (object.metadata?.managedFields ?? []).map((f) => f.manager ?? '');
}

/** What a proposal must be: serialisable as it is, and made against the object as it is now. */
async function expectProposalOf(action: KubeAction, object: KubernetesObject): Promise<void> {
  expect(KubeAction.parse(JSON.parse(JSON.stringify(action)))).toEqual(action);
  expect(action.target).toMatchObject({
    cluster: 'sandbox',
    uid: object.metadata?.uid,
    resourceVersion: object.metadata?.resourceVersion,
  });
  const now = await readTarget(sandbox.cluster, action.target);
  expect(now.metadata?.resourceVersion).toBe(action.target.resourceVersion);
  expect(now.metadata?.generation).toBe(object.metadata?.generation);
}

async function failureOf(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a failure');
}

describe('proposals', () => {
  it('set-resources: diffs the memory limit 256Mi to 384Mi and changes nothing', async () => {
    const before = await read('payments', 'payments-api');

    const action = await proposeSetResources(sandbox.cluster, {
      namespace: 'payments',
      name: 'payments-api',
      container: 'api',
      limits: { memory: '384Mi' },
    });

    await expectProposalOf(action, before);
    expect(action).toMatchObject({ type: 'set-resources', verb: 'patch' });
    expect(action.summary).toBe(
      'set memory limit 256Mi → 384Mi for container api of deployment payments/payments-api',
    );
    expect(action.diff.split('\n').slice(0, 2)).toEqual([
      '--- deployment payments/payments-api (live)',
      '+++ deployment payments/payments-api (after the change, server dry run)',
    ]);
    const lines = action.diff.split('\n');
    const removed = lines.indexOf('-              memory: 256Mi');
    expect(removed).toBeGreaterThan(0);
    expect(lines[removed + 1]).toBe('+              memory: 384Mi');
    expect(lines.filter((l) => /^[-+] /.test(l))).toHaveLength(2);
    expect(action.diff).not.toContain('Pa55w0rd-prod');
    expect(memoryLimit(await read('payments', 'payments-api'))).toBe('256Mi');
  });

  it('rollback: diffs the image back to the previous revision', async () => {
    const before = await read('orders', 'orders-api');

    const action = await proposeRollback(sandbox.cluster, {
      namespace: 'orders',
      name: 'orders-api',
    });

    await expectProposalOf(action, before);
    expect(action).toMatchObject({ type: 'rollback', verb: 'rollout' });
    expect(action.summary).toBe(
      'roll back deployment orders/orders-api from revision 2 to revision 1 (ghcr.io/example/orders-api:1.4.0)',
    );
    expect(action.diff).toContain('\n-          image: ghcr.io/example/orders-api:1.5.0\n');
    expect(action.diff).toContain('\n+          image: ghcr.io/example/orders-api:1.4.0\n');
    expect(action.diff).not.toContain('pod-template-hash');
  });

  it('scale: diffs the replicas', async () => {
    const before = await read('shop', 'cart');

    const action = await proposeScale(sandbox.cluster, {
      namespace: 'shop',
      name: 'cart',
      replicas: 4,
    });

    await expectProposalOf(action, before);
    expect(action.summary).toBe('scale deployment shop/cart from 2 to 4 replicas');
    expect(action.diff).toContain('\n-  replicas: 2\n+  replicas: 4\n');
  });

  it('restart: diffs a restartedAt annotation on the pod template', async () => {
    const before = await read('shop', 'cart');

    const action = await proposeRestart(sandbox.cluster, { namespace: 'shop', name: 'cart' });

    await expectProposalOf(action, before);
    expect(action).toMatchObject({ type: 'rollout-restart', verb: 'rollout' });
    expect(action.diff).toMatch(
      /\n\+ {6}annotations:\n\+ {8}kubectl\.kubernetes\.io\/restartedAt: \S+\n/,
    );
  });

  it('delete-pod: the server accepts a dry-run delete and the pod stays', async () => {
    const [pod] = await podsOf('shop', 'cart');
    const name = pod?.metadata?.name ?? '';

    const action = await proposeDeletePod(sandbox.cluster, { namespace: 'shop', name });

    await expectProposalOf(action, pod as V1Pod);
    expect(action.summary).toMatch(
      new RegExp(`^delete pod shop/${name}; ReplicaSet cart-\\S+ will create a replacement$`),
    );
    expect(action.diff).toBe(
      `--- pod shop/${name} (live)\n+++ pod shop/${name} (deleted; the server accepted a dry-run delete)`,
    );
    const still = await sandbox.cluster.core.readNamespacedPod({ namespace: 'shop', name });
    expect(still.metadata?.deletionTimestamp).toBeUndefined();
  });

  it('patch: diffs a ConfigMap value', async () => {
    const before = await sandbox.cluster.core.readNamespacedConfigMap({
      namespace: 'shop',
      name: 'cart-config',
    });

    const action = await proposePatch(sandbox.cluster, {
      kind: 'ConfigMap',
      namespace: 'shop',
      name: 'cart-config',
      patchType: 'merge',
      patch: { data: { CURRENCY: 'USD' } },
    });

    await expectProposalOf(action, before);
    // ConfigMap values may hold secrets: a person sees which one changes, not its text.
    expect(action.changes).toEqual([
      { path: 'data.CURRENCY', from: '[redacted]', to: '[redacted; changed]' },
    ]);
    expect(action.diff).toContain(
      '\n-  CURRENCY: "[redacted]"\n+  CURRENCY: "[redacted; changed]"\n',
    );
    expect(action.summary).toBe('patch configmap shop/cart-config: data.CURRENCY');
    const after = await sandbox.cluster.core.readNamespacedConfigMap({
      namespace: 'shop',
      name: 'cart-config',
    });
    expect(after.data?.CURRENCY).toBe('EUR');
  });
  it('shows only the change for a deployment created without apiVersion and kind in the body', async () => {
    await sandbox.cluster.apps.createNamespacedDeployment({
      namespace: 'default',
      body: {
        metadata: { name: 'typed-client', labels: { app: 'typed-client' } },
        spec: {
          replicas: 1,
          selector: { matchLabels: { app: 'typed-client' } },
          template: {
            metadata: { labels: { app: 'typed-client' } },
            spec: { containers: [{ name: 'app', image: IMAGE }] },
          },
        },
      },
    });

    const action = await proposeScale(sandbox.cluster, {
      namespace: 'default',
      name: 'typed-client',
      replicas: 2,
    });

    const changed = action.diff.split('\n').filter((l) => /^[-+] /.test(l));
    expect(changed).toEqual(['-  replicas: 1', '+  replicas: 2']);
  });
});

describe('executing', () => {
  it('set-resources raises the memory limit and the payments pods become ready', async () => {
    const action = await proposeSetResources(sandbox.cluster, {
      namespace: 'payments',
      name: 'payments-api',
      container: 'api',
      limits: { memory: '384Mi' },
    });

    const outcome = await executeAction(sandbox.cluster, action);

    const after = await read('payments', 'payments-api');
    expect(memoryLimit(after)).toBe('384Mi');
    expect(managers(after)).toContain('coxswain');
    expect(outcome).toMatchObject({
      summary: action.summary,
      resourceVersionBefore: action.target.resourceVersion,
      resourceVersionAfter: expect.any(String),
    });
    const pods = await eventually(async () => {
      const all = await podsOf('payments', 'payments-api');
      const ready = await readyPods('payments', 'payments-api');
      return all.length === 2 && ready.length === 2 ? ready : undefined;
    }, 30_000);
    for (const pod of pods)
      expect(pod.spec?.containers[0]?.resources?.limits?.memory).toBe('384Mi');
  });

  it('rollback brings orders-api back to 1.4.0 and the rollout completes', async () => {
    const action = await proposeRollback(sandbox.cluster, {
      namespace: 'orders',
      name: 'orders-api',
    });

    await executeAction(sandbox.cluster, action);

    const after = await read('orders', 'orders-api');
    expect(after.spec?.template.spec?.containers[0]?.image).toBe(
      'ghcr.io/example/orders-api:1.4.0',
    );
    expect(managers(after)).toContain('coxswain');
    const status = await eventually(async () => {
      const result = await runTool(
        rolloutStatus,
        { cluster: sandbox.cluster },
        {
          namespace: 'orders',
          name: 'orders-api',
        },
      );
      return result.ok && result.text.includes('rollout complete') ? result.text : undefined;
    }, 30_000);
    expect(status).toMatch(/^deployment orders-api at revision 3: rollout complete \(3 wanted/);
    expect(status).toMatch(
      /\n3 \(current\)\s+orders-api-\S+\s+ghcr\.io\/example\/orders-api:1\.4\.0/,
    );
  });

  it('scale changes the number of pods', async () => {
    await deployment('scale-me', 2);
    const action = await proposeScale(sandbox.cluster, {
      namespace: 'default',
      name: 'scale-me',
      replicas: 3,
    });

    await executeAction(sandbox.cluster, action);

    const after = await read('default', 'scale-me');
    expect(after.spec?.replicas).toBe(3);
    expect(managers(after)).toContain('coxswain');
    await eventually(async () =>
      (await readyPods('default', 'scale-me')).length === 3 ? true : undefined,
    );
  });

  it('delete-pod deletes the pod and its ReplicaSet replaces it', async () => {
    await deployment('delete-me', 2);
    const [victim] = await podsOf('default', 'delete-me');
    const name = victim?.metadata?.name ?? '';
    const action = await proposeDeletePod(sandbox.cluster, { namespace: 'default', name });

    await executeAction(sandbox.cluster, action);

    const pods = await eventually(async () => {
      const all = await podsOf('default', 'delete-me');
      const ready = await readyPods('default', 'delete-me');
      return all.length === 2 && ready.length === 2 ? ready : undefined;
    });
    expect(pods.map((p) => p.metadata?.name)).not.toContain(name);
  });

  it('restart rolls the pods onto a new ReplicaSet', async () => {
    const before = await deployment('restart-me', 2);
    const oldPods = (await podsOf('default', 'restart-me')).map((p) => p.metadata?.name);
    const action = await proposeRestart(sandbox.cluster, {
      namespace: 'default',
      name: 'restart-me',
    });

    await executeAction(sandbox.cluster, action);

    const replicaSets = await sandbox.cluster.apps.listNamespacedReplicaSet({
      namespace: 'default',
      labelSelector: 'app=restart-me',
    });
    const owned = replicaSets.items.filter((rs) =>
      rs.metadata?.ownerReferences?.some((o) => o.uid === before.metadata?.uid),
    );
    expect(owned).toHaveLength(2);
    const pods = await eventually(async () => {
      const all = await podsOf('default', 'restart-me');
      const ready = await readyPods('default', 'restart-me');
      return all.length === 2 && ready.length === 2 ? ready : undefined;
    }, 30_000);
    for (const pod of pods) {
      expect(oldPods).not.toContain(pod.metadata?.name);
      expect(pod.metadata?.annotations?.['kubectl.kubernetes.io/restartedAt']).toBeDefined();
    }
  });

  it('patch changes a ConfigMap, as field manager coxswain', async () => {
    const action = await proposePatch(sandbox.cluster, {
      kind: 'ConfigMap',
      namespace: 'shop',
      name: 'cart-config',
      patchType: 'merge',
      patch: { data: { CURRENCY: 'USD' } },
    });

    await executeAction(sandbox.cluster, action);

    const after = await sandbox.cluster.core.readNamespacedConfigMap({
      namespace: 'shop',
      name: 'cart-config',
    });
    expect(after.data).toEqual({ CART_TTL: '24h', CURRENCY: 'USD' });
    expect(managers(after)).toContain('coxswain');
  });
});

describe('refusals', () => {
  it('will not propose scaling what a HorizontalPodAutoscaler controls', async () => {
    const error = await failureOf(
      proposeScale(sandbox.cluster, { namespace: 'shop', name: 'frontend', replicas: 5 }),
    );

    expect(error).toBeInstanceOf(CoxswainError);
    expect(error.message).toBe(
      "deployment shop/frontend is scaled by HorizontalPodAutoscaler frontend (min 3, max 10); change the autoscaler's bounds instead",
    );
  });

  it('will not execute a scale when an autoscaler took the deployment over since', async () => {
    await deployment('autoscaled-later', 1);
    const action = await proposeScale(sandbox.cluster, {
      namespace: 'default',
      name: 'autoscaled-later',
      replicas: 2,
    });
    await sandbox.cluster.autoscaling.createNamespacedHorizontalPodAutoscaler({
      namespace: 'default',
      body: {
        metadata: { name: 'autoscaled-later' },
        spec: {
          scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'autoscaled-later' },
          minReplicas: 1,
          maxReplicas: 4,
        },
      },
    });

    const error = await failureOf(executeAction(sandbox.cluster, action));

    expect(error.message).toContain('is scaled by HorizontalPodAutoscaler autoscaled-later');
    expect((await read('default', 'autoscaled-later')).spec?.replicas).toBe(1);
  });

  it('refuses to execute the same action twice', async () => {
    await deployment('twice', 1);
    const action = await proposeScale(sandbox.cluster, {
      namespace: 'default',
      name: 'twice',
      replicas: 2,
    });
    await executeAction(sandbox.cluster, action);

    const error = await failureOf(executeAction(sandbox.cluster, action));

    expect(error).toBeInstanceOf(TargetChangedError);
    expect(error.message).toMatch(/^target changed since proposed: deployment default\/twice /);
  });

  it('refuses when someone else changed the same field since the proposal', async () => {
    await deployment('contested', 1);
    const action = await proposeSetResources(sandbox.cluster, {
      namespace: 'default',
      name: 'contested',
      container: 'app',
      limits: { memory: '384Mi' },
    });
    await sandbox.cluster.apps.patchNamespacedDeployment(
      {
        namespace: 'default',
        name: 'contested',
        fieldManager: 'kubectl-edit',
        body: {
          spec: {
            template: {
              spec: {
                containers: [
                  {
                    name: 'app',
                    image: IMAGE,
                    resources: { requests: { memory: '128Mi' }, limits: { memory: '512Mi' } },
                  },
                ],
              },
            },
          },
        },
      },
      setHeaderOptions('Content-Type', PatchStrategy.StrategicMergePatch),
    );

    const error = await failureOf(executeAction(sandbox.cluster, action));

    expect(error).toBeInstanceOf(TargetChangedError);
    expect(error.message).toContain(
      'target changed since proposed: deployment default/contested was modified',
    );
    expect(memoryLimit(await read('default', 'contested'))).toBe('512Mi');
  });

  it('checks again on a fresh read when a controller writes the target during its dry run', async () => {
    await deployment('raced', 1);
    const action = await proposeSetResources(sandbox.cluster, {
      namespace: 'default',
      name: 'raced',
      container: 'app',
      limits: { memory: '384Mi' },
    });
    const gate = await KubeGate.start(sandbox.sandbox.url);
    try {
      const kubeconfig = join(mkdtempSync(join(tmpdir(), 'coxswain-gate-')), 'kubeconfig');
      gate.writeKubeconfig(kubeconfig);
      // Just before the check's dry run, another writer bumps the object's resourceVersion.
      gate.raceBefore(
        (r) => r.method === 'PATCH' && r.dryRun && r.path.endsWith('/deployments/raced'),
        async () => {
          await sandbox.cluster.apps.patchNamespacedDeployment(
            {
              namespace: 'default',
              name: 'raced',
              body: { metadata: { annotations: { 'controller/touched': 'yes' } } },
            },
            MERGE,
          );
        },
      );

      await executeAction(connect({ name: 'gate', kubeconfig }), action);

      expect(memoryLimit(await read('default', 'raced'))).toBe('384Mi');
    } finally {
      await gate.close();
    }
  });

  it('still applies when only a label value changed since the proposal', async () => {
    await deployment('relabelled', 1);
    const action = await proposeSetResources(sandbox.cluster, {
      namespace: 'default',
      name: 'relabelled',
      container: 'app',
      limits: { memory: '384Mi' },
    });
    await sandbox.cluster.apps.patchNamespacedDeployment(
      {
        namespace: 'default',
        name: 'relabelled',
        body: { metadata: { labels: { team: 'payments' } } },
      },
      MERGE,
    );

    const outcome = await executeAction(sandbox.cluster, action);

    expect(outcome.resourceVersionBefore).not.toBe(action.target.resourceVersion);
    const after = await read('default', 'relabelled');
    expect(memoryLimit(after)).toBe('384Mi');
    expect(after.metadata?.labels?.team).toBe('payments');
  });

  it('still applies when only a label was added since the proposal', async () => {
    await deployment('labelled', 1);
    const action = await proposeSetResources(sandbox.cluster, {
      namespace: 'default',
      name: 'labelled',
      container: 'app',
      limits: { memory: '384Mi' },
    });
    await sandbox.cluster.apps.patchNamespacedDeployment(
      {
        namespace: 'default',
        name: 'labelled',
        body: { metadata: { labels: { tier: 'backend' } } },
      },
      MERGE,
    );

    const outcome = await executeAction(sandbox.cluster, action);

    expect(outcome.resourceVersionBefore).not.toBe(action.target.resourceVersion);
    const after = await read('default', 'labelled');
    expect(memoryLimit(after)).toBe('384Mi');
    expect(after.metadata?.labels?.tier).toBe('backend');
  });

  it('refuses to delete a pod that was deleted and created again under the same name', async () => {
    const bare = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'bare', labels: { app: 'bare' } },
      spec: { containers: [{ name: 'app', image: IMAGE }] },
    };
    await sandbox.cluster.core.createNamespacedPod({ namespace: 'default', body: bare });
    const action = await proposeDeletePod(sandbox.cluster, { namespace: 'default', name: 'bare' });
    await sandbox.cluster.core.deleteNamespacedPod({
      namespace: 'default',
      name: 'bare',
      gracePeriodSeconds: 0,
    });
    const again = await sandbox.cluster.core.createNamespacedPod({
      namespace: 'default',
      body: bare,
    });

    const error = await failureOf(executeAction(sandbox.cluster, action));

    expect(action.summary).toBe('delete pod default/bare; nothing will replace it (a bare pod)');
    expect(error).toBeInstanceOf(TargetChangedError);
    expect(error.message).toBe(
      'target changed since proposed: pod default/bare was deleted and created again',
    );
    const now = await sandbox.cluster.core.readNamespacedPod({
      namespace: 'default',
      name: 'bare',
    });
    expect(now.metadata?.uid).toBe(again.metadata?.uid);
    expect(now.metadata?.deletionTimestamp).toBeUndefined();
  });

  it('says when the pod to delete no longer exists', async () => {
    await sandbox.cluster.core.createNamespacedPod({
      namespace: 'default',
      body: {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name: 'gone' },
        spec: { containers: [{ name: 'app', image: IMAGE }] },
      },
    });
    const action = await proposeDeletePod(sandbox.cluster, { namespace: 'default', name: 'gone' });
    await sandbox.cluster.core.deleteNamespacedPod({
      namespace: 'default',
      name: 'gone',
      gracePeriodSeconds: 0,
    });

    const error = await failureOf(executeAction(sandbox.cluster, action));

    expect(error).toBeInstanceOf(TargetChangedError);
    expect(error.message).toBe('target changed since proposed: pod default/gone no longer exists');
  });

  it("passes on the server's refusal of an invalid change (requests above the limit)", async () => {
    const error = await failureOf(
      proposeSetResources(sandbox.cluster, {
        namespace: 'shop',
        name: 'cart',
        container: 'cart',
        requests: { memory: '512Mi' },
      }),
    );

    expect(error).toBeInstanceOf(CoxswainError);
    expect(error.message).toMatch(
      /^invalid: the API server refused the change to deployment cart: /,
    );
    expect(error.message).toContain('must be less than or equal to memory limit of 256Mi');
    expect(memoryLimit(await read('shop', 'cart'))).toBe('256Mi');
  });

  it('says so when there is no earlier revision to roll back to', async () => {
    const error = await failureOf(
      proposeRollback(sandbox.cluster, { namespace: 'shop', name: 'cart' }),
    );

    expect(error.message).toBe(
      'deployment cart has no earlier revision to roll back to (revisions: 1)',
    );
  });

  it('names the containers a deployment has when asked for another', async () => {
    const error = await failureOf(
      proposeSetResources(sandbox.cluster, {
        namespace: 'shop',
        name: 'cart',
        container: 'web',
        limits: { memory: '1Gi' },
      }),
    );

    expect(error.message).toBe('deployment cart has no container "web" (it has: cart)');
  });

  it.each([
    ['Secret', { stringData: { password: 'x' } }],
    ['Node', { spec: { unschedulable: true } }],
    ['ClusterRoleBinding', { subjects: [] }],
  ])('never patches a %s, and asks the cluster nothing', async (kind, patch) => {
    sandbox.resetRequests();

    const error = await failureOf(
      proposePatch(sandbox.cluster, {
        kind,
        namespace: 'payments',
        name: 'x',
        patchType: 'merge',
        patch,
      }),
    );

    expect(error.message).toContain(`Coxswain does not patch ${kind} objects`);
    expect(sandbox.requests).toEqual([]);
  });

  it('refuses a strategic merge patch of a custom resource', async () => {
    const error = await failureOf(
      proposePatch(sandbox.cluster, {
        kind: 'Application',
        namespace: 'argocd',
        name: 'storefront',
        patchType: 'strategic',
        patch: { spec: {} },
      }),
    );

    expect(error.message).toBe('Application is a custom resource: use a merge patch');
  });
});
