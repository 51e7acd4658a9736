import { describe, expect, it } from 'vitest';
import type { KObject } from '../../api/store.ts';
import { driftOf } from './compare.ts';
import { desiredState, TRACKING_LABEL } from './desired-state.ts';
import { healthOf, worst } from './health.ts';

const deployment = (
  spec: Record<string, unknown>,
  status: Record<string, unknown> = {},
): KObject => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'cart', namespace: 'shop', generation: 2, labels: { app: 'cart' } },
  spec,
  status: { observedGeneration: 2, ...status },
});

const template = (image: string) => ({
  metadata: { labels: { app: 'cart' } },
  spec: { containers: [{ name: 'cart', image }] },
});

describe('drift between Git and a live object', () => {
  it('is nothing when the live object only adds what the server and controllers fill in', () => {
    const desired = deployment({ replicas: 3, template: template('cart:1.4.0') });
    const live = deployment({
      replicas: 3,
      strategy: { type: 'RollingUpdate' },
      template: {
        ...template('cart:1.4.0'),
        spec: {
          containers: [{ name: 'cart', image: 'cart:1.4.0', imagePullPolicy: 'IfNotPresent' }],
        },
      },
    });

    expect(driftOf(desired, live)).toEqual([]);
  });

  it('names each drifted field with the value Git wants and the live one', () => {
    const desired = deployment({ replicas: 3, template: template('cart:1.5.0') });
    const live = deployment({ replicas: 2, template: template('cart:1.4.0') });

    expect(driftOf(desired, live)).toEqual([
      { path: 'spec.replicas', desired: 3, live: 2 },
      {
        path: 'spec.template.spec.containers[cart].image',
        desired: 'cart:1.5.0',
        live: 'cart:1.4.0',
      },
    ]);
  });

  it('counts a container added by hand and a label removed by hand', () => {
    const desired = deployment({ template: template('cart:1.4.0') });
    const live: KObject = {
      ...deployment({
        template: {
          ...template('cart:1.4.0'),
          spec: {
            containers: [
              { name: 'cart', image: 'cart:1.4.0' },
              { name: 'debug', image: 'busybox' },
            ],
          },
        },
      }),
    };
    live.metadata = { ...live.metadata, labels: {} };

    expect(driftOf(desired, live).map((d) => d.path)).toEqual([
      'metadata.labels.app',
      'spec.template.spec.containers[debug]',
    ]);
  });
});

describe('the desired state of an application', () => {
  it('puts each object in the destination namespace unless it names one, with the tracking label', () => {
    const state = desiredState(
      [
        {
          path: 'apps/cart.yaml',
          text: 'apiVersion: v1\nkind: Service\nmetadata: { name: cart }\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: { name: c, namespace: other }\n---\napiVersion: v1\nkind: Namespace\nmetadata: { name: shop }\n',
        },
      ],
      { name: 'storefront', namespace: 'shop' },
    );

    if (!state.ok) return expect.fail(state.error);
    expect(state.objects.map((o) => [o.object.kind, o.object.metadata.namespace, o.file])).toEqual([
      ['Service', 'shop', 'apps/cart.yaml'],
      ['ConfigMap', 'other', 'apps/cart.yaml'],
      ['Namespace', undefined, 'apps/cart.yaml'],
    ]);
    expect(state.objects[0]?.object.metadata.labels).toEqual({ [TRACKING_LABEL]: 'storefront' });
  });

  it('fails with the file and the reason when a manifest is not a Kubernetes object', () => {
    const broken = desiredState([{ path: 'a.yaml', text: 'kind: [\n' }], {
      name: 'x',
      namespace: 'y',
    });
    const nameless = desiredState([{ path: 'b.yaml', text: 'apiVersion: v1\nkind: Service\n' }], {
      name: 'x',
      namespace: 'y',
    });

    expect(broken.ok ? '' : broken.error).toMatch(/^a\.yaml: /);
    expect(nameless.ok ? '' : nameless.error).toBe('b.yaml: Service has no metadata.name');
  });
});

describe('health as Argo CD assesses it', () => {
  it('follows a Deployment through its rollout to Degraded past its progress deadline', () => {
    const rolling = deployment(
      { replicas: 3 },
      { replicas: 3, updatedReplicas: 1, availableReplicas: 2 },
    );
    const waiting = deployment(
      { replicas: 3 },
      { replicas: 3, updatedReplicas: 3, availableReplicas: 2 },
    );
    const stuck = deployment(
      { replicas: 3 },
      {
        replicas: 3,
        updatedReplicas: 3,
        availableReplicas: 0,
        conditions: [{ type: 'Progressing', status: 'False', reason: 'ProgressDeadlineExceeded' }],
      },
    );
    const done = deployment(
      { replicas: 3 },
      { replicas: 3, updatedReplicas: 3, availableReplicas: 3 },
    );
    const paused = deployment({ replicas: 3, paused: true });

    expect(healthOf(rolling)).toEqual({
      status: 'Progressing',
      message: 'Waiting for rollout to finish: 1 out of 3 new replicas have been updated...',
    });
    expect(healthOf(waiting)?.message).toBe(
      'Waiting for rollout to finish: 2 of 3 updated replicas are available...',
    );
    expect(healthOf(stuck)).toEqual({
      status: 'Degraded',
      message: 'Deployment "cart" exceeded its progress deadline',
    });
    expect(healthOf(done)).toEqual({ status: 'Healthy' });
    expect(healthOf(paused)?.status).toBe('Suspended');
    expect(healthOf(undefined)).toEqual({ status: 'Missing' });
  });

  it('has no health for kinds without a check, and takes the worst of the rest', () => {
    const config: KObject = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' } };

    expect(healthOf(config)).toBeUndefined();
    expect(worst(['Healthy', 'Progressing', 'Suspended'])).toBe('Progressing');
    expect(worst(['Progressing', 'Degraded', 'Missing'])).toBe('Degraded');
    expect(worst([])).toBe('Healthy');
  });
});
