import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ApiException, CoordinationV1Api, KubeConfig, type V1Lease } from '@kubernetes/client-node';
import { afterAll, describe, expect, it } from 'vitest';
import { runKubectl } from '../support/kubectl.ts';
import { eventually, useSandbox } from '../support/sandbox.ts';

/**
 * Leases on the sandbox as client-go's leader election uses them (get, create, replace with the
 * resourceVersion read), and the kubelets' node leases in kube-node-lease.
 */
const sandbox = useSandbox(['healthy', 'node-not-ready']);
const cacheDir = mkdtempSync(join(tmpdir(), 'coxswain-kubectl-cache-'));
afterAll(() => rmSync(cacheDir, { recursive: true, force: true }));

function leases(): CoordinationV1Api {
  const config = new KubeConfig();
  config.loadFromFile(sandbox.kubeconfig);
  return config.makeApiClient(CoordinationV1Api);
}

async function refusal(request: Promise<unknown>): Promise<{ code: number; message: string }> {
  try {
    await request;
  } catch (error) {
    if (!(error instanceof ApiException)) throw error;
    const body = typeof error.body === 'string' ? JSON.parse(error.body) : error.body;
    return { code: error.code, message: (body as { message: string }).message };
  }
  throw new Error('the request succeeded, but a refusal was expected');
}

const NAMESPACE = 'default';
const LEASE = 'checkout-controller';
const DURATION_SECONDS = 1;

/**
 * One round of client-go's tryAcquireOrRenew: create the lease if there is none, renew it when
 * held, take it when the holder's lease has expired; a conflict means someone else won.
 */
async function tryAcquireOrRenew(api: CoordinationV1Api, identity: string): Promise<boolean> {
  const now = new Date();
  let current: V1Lease;
  try {
    current = await api.readNamespacedLease({ name: LEASE, namespace: NAMESPACE });
  } catch (error) {
    if (!(error instanceof ApiException) || error.code !== 404) throw error;
    try {
      await api.createNamespacedLease({
        namespace: NAMESPACE,
        body: {
          metadata: { name: LEASE, namespace: NAMESPACE },
          spec: {
            holderIdentity: identity,
            leaseDurationSeconds: DURATION_SECONDS,
            acquireTime: now,
            renewTime: now,
            leaseTransitions: 0,
          },
        },
      });
      return true;
    } catch (createError) {
      if (createError instanceof ApiException && createError.code === 409) return false;
      throw createError;
    }
  }
  const spec = current.spec ?? {};
  const held = spec.holderIdentity === identity;
  const renewed = spec.renewTime === undefined ? 0 : new Date(spec.renewTime).getTime();
  const expired = renewed + (spec.leaseDurationSeconds ?? 0) * 1000 < now.getTime();
  if (!held && !expired) return false;
  try {
    await api.replaceNamespacedLease({
      name: LEASE,
      namespace: NAMESPACE,
      body: {
        ...current,
        spec: {
          ...spec,
          holderIdentity: identity,
          renewTime: now,
          ...(held ? {} : { acquireTime: now, leaseTransitions: (spec.leaseTransitions ?? 0) + 1 }),
        },
      },
    });
    return true;
  } catch (error) {
    if (error instanceof ApiException && error.code === 409) return false;
    throw error;
  }
}

describe('leases on the sandbox', () => {
  it('elects exactly one leader, and the other takes over once the holder stops renewing', async () => {
    const a = leases();
    const b = leases();

    const first = await Promise.all([tryAcquireOrRenew(a, 'pod-a'), tryAcquireOrRenew(b, 'pod-b')]);
    const winner = first[0] ? 'pod-a' : 'pod-b';
    const [held, other] = first[0] ? [a, b] : [b, a];
    const otherName = winner === 'pod-a' ? 'pod-b' : 'pod-a';
    const renewedByHolder = await tryAcquireOrRenew(held, winner);
    const blocked = await tryAcquireOrRenew(other, otherName);

    expect(first.filter(Boolean)).toHaveLength(1);
    expect(renewedByHolder).toBe(true);
    expect(blocked).toBe(false);

    const takenOver = await eventually(
      async () => ((await tryAcquireOrRenew(other, otherName)) ? true : undefined),
      15_000,
      'the other contender to take the expired lease',
    );
    const lease = await a.readNamespacedLease({ name: LEASE, namespace: NAMESPACE });

    expect(takenOver).toBe(true);
    expect(lease.spec?.holderIdentity).toBe(otherName);
    expect(lease.spec?.leaseTransitions).toBe(1);
  });

  it('refuses a replace with a stale resourceVersion with the real conflict', async () => {
    const api = leases();
    const created = await api.createNamespacedLease({
      namespace: NAMESPACE,
      body: {
        metadata: { name: 'stale', namespace: NAMESPACE },
        spec: { holderIdentity: 'x', leaseDurationSeconds: 15 },
      },
    });
    await api.replaceNamespacedLease({
      name: 'stale',
      namespace: NAMESPACE,
      body: { ...created, spec: { ...created.spec, holderIdentity: 'y' } },
    });

    const stale = await refusal(
      api.replaceNamespacedLease({
        name: 'stale',
        namespace: NAMESPACE,
        body: { ...created, spec: { ...created.spec, holderIdentity: 'z' } },
      }),
    );

    expect(stale).toEqual({
      code: 409,
      message:
        'Operation cannot be fulfilled on leases.coordination.k8s.io "stale": the object has been modified; please apply your changes to the latest version and try again',
    });
  });

  it('keeps a node lease per node, renewed by running kubelets and stale for a stopped one', async () => {
    const api = leases();

    const list = await api.listNamespacedLease({ namespace: 'kube-node-lease' });
    const byName = new Map(list.items.map((l) => [l.metadata?.name, l]));
    const stopped = byName.get('sandbox-worker4');
    const stoppedAge = Date.now() - new Date(stopped?.spec?.renewTime ?? 0).getTime();

    expect([...byName.keys()].sort()).toEqual([
      'sandbox-control-plane',
      'sandbox-worker',
      'sandbox-worker2',
      'sandbox-worker3',
      'sandbox-worker4',
    ]);
    for (const lease of list.items) {
      expect(lease.spec?.holderIdentity).toBe(lease.metadata?.name);
      expect(lease.spec?.leaseDurationSeconds).toBe(40);
      expect(lease.metadata?.ownerReferences?.[0]?.kind).toBe('Node');
    }
    expect(stoppedAge).toBeGreaterThan(30 * 60 * 1000);

    const before = byName.get('sandbox-worker')?.spec?.renewTime;
    const renewed = await eventually(
      async () => {
        const lease = await api.readNamespacedLease({
          name: 'sandbox-worker',
          namespace: 'kube-node-lease',
        });
        const at = lease.spec?.renewTime;
        return at !== undefined && new Date(at).getTime() !== new Date(before ?? 0).getTime()
          ? at
          : undefined;
      },
      25_000,
      'the running kubelet to renew its lease',
    );
    const stillStale = await api.readNamespacedLease({
      name: 'sandbox-worker4',
      namespace: 'kube-node-lease',
    });

    expect(new Date(renewed).getTime()).toBeGreaterThan(new Date(before ?? 0).getTime());
    expect(stillStale.spec?.renewTime).toEqual(stopped?.spec?.renewTime);
  });

  it('shows the node lease in kubectl describe node and kubectl get lease', async () => {
    const env = { kubeconfig: sandbox.kubeconfig, cacheDir };

    const described = await runKubectl(env, ['describe', 'node', 'sandbox-worker']);
    const listed = await runKubectl(env, ['get', 'lease', '-n', 'kube-node-lease']);

    expect(described.stdout).toMatch(/Lease:\s+HolderIdentity:\s+sandbox-worker\s/);
    expect(listed.stdout).toMatch(/NAME\s+HOLDER\s+AGE/);
    expect(listed.stdout).toMatch(/sandbox-worker4\s+sandbox-worker4\s/);
  });
});
