import { describe, expect, it } from 'vitest';
import { findKind } from '../../api/catalog.ts';
import { type KObject, ObjectStore } from '../../api/store.ts';
import { applyManifests } from './apply-manifests.ts';
import { compareApp } from './comparison.ts';
import { TRACKING_LABEL } from './desired-state.ts';
import { finishOperation, startOperation } from './sync-operation.ts';

function kind(apiVersion: string, name: string) {
  const found = findKind(apiVersion, name);
  if (found === undefined) throw new Error(`the catalog lacks ${name}`);
  return found;
}
const DEPLOYMENTS = kind('apps/v1', 'Deployment');
const CONFIGMAPS = kind('v1', 'ConfigMap');

function cluster(): ObjectStore {
  const store = new ObjectStore();
  store.create(kind('v1', 'Namespace'), {
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: { name: 'shop' },
    status: { phase: 'Active' },
  });
  return store;
}

const cart = (replicas: number, app = 'cart'): KObject => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'cart', namespace: 'shop', labels: { [TRACKING_LABEL]: 'storefront' } },
  spec: {
    replicas,
    selector: { matchLabels: { app } },
    template: {
      metadata: { labels: { app } },
      spec: { containers: [{ name: 'cart', image: 'cart:1.4.0' }] },
    },
  },
});

const live = (store: ObjectStore) => store.get(DEPLOYMENTS, 'shop', 'cart');

describe("a sync's apply", () => {
  it('creates what is missing and puts a drifted field back, as the controller field manager', () => {
    const store = cluster();

    const created = applyManifests(store, [cart(3)], [], false);
    const replicas = (live(store)?.spec as { replicas?: number } | undefined)?.replicas;
    const again = applyManifests(store, [cart(3)], [], false);

    expect(created.results.map((r) => [r.status, r.message])).toEqual([
      ['Synced', 'deployment.apps/cart created'],
    ]);
    expect(replicas).toBe(3);
    expect(again.results[0]?.message).toBe('deployment.apps/cart unchanged');
    expect(JSON.stringify(live(store)?.metadata.managedFields)).toContain('argocd-controller');
  });

  it('applies nothing when the API server refuses one object, and says which and why', () => {
    const store = cluster();
    applyManifests(store, [cart(3)], [], false);
    const version = live(store)?.metadata.resourceVersion;

    const refused = applyManifests(store, [cart(5, 'cart-v2')], [], false);

    expect(refused.ok).toBe(false);
    expect(refused.results).toEqual([
      expect.objectContaining({
        kind: 'Deployment',
        name: 'cart',
        status: 'SyncFailed',
        message: expect.stringContaining('spec.selector: Invalid value: field is immutable'),
      }),
    ]);
    expect(live(store)?.metadata.resourceVersion).toBe(version);
  });

  it('prunes a tracked object Git no longer declares only when asked', () => {
    const store = cluster();
    const old: KObject = {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'old', namespace: 'shop', labels: { [TRACKING_LABEL]: 'storefront' } },
    };
    applyManifests(store, [cart(3), old], [], false);
    const extra = compareApp(store, [{ object: cart(3), file: 'cart.yaml' }], 'storefront').extra;

    const kept = applyManifests(store, [cart(3)], extra, false);
    const pruned = applyManifests(store, [cart(3)], extra, true);

    expect(extra.map((o) => o.metadata.name)).toEqual(['old']);
    expect(kept.results.at(-1)).toMatchObject({
      status: 'PruneSkipped',
      message: 'ignored (requires pruning)',
    });
    expect(pruned.results.at(-1)).toMatchObject({ status: 'Pruned' });
    expect(store.get(CONFIGMAPS, 'shop', 'old')).toBeUndefined();
  });
});

describe('a sync operation', () => {
  it('runs, then succeeds with a history entry; a refused one fails at once with SyncError', () => {
    const store = cluster();
    const target = {
      ok: true as const,
      revision: 'a'.repeat(40),
      desired: [{ object: cart(3), file: 'cart.yaml' }],
    };
    const operation = { sync: { revision: 'main' }, initiatedBy: { username: 'dana' } };
    const app = { name: 'storefront', spec: {}, status: {} };

    const started = startOperation(store, app, operation, target);
    const finished = finishOperation(store, started.status);
    const refused = startOperation(store, { ...app, status: finished.status }, operation, {
      ...target,
      desired: [{ object: cart(3, 'other'), file: 'cart.yaml' }],
    });

    expect(started.ended).toBe(false);
    expect(started.status.operationState?.phase).toBe('Running');
    expect(finished.ended).toBe(true);
    expect(finished.status.history).toEqual([
      expect.objectContaining({
        id: 0,
        revision: 'a'.repeat(40),
        initiatedBy: { username: 'dana' },
      }),
    ]);
    expect(finished.event?.reason).toBe('OperationCompleted');
    expect(refused.ended).toBe(true);
    expect(refused.status.operationState?.phase).toBe('Failed');
    expect(refused.status.conditions?.map((c) => c.type)).toEqual(['SyncError']);
    expect(refused.event?.type).toBe('Warning');
  });
});
