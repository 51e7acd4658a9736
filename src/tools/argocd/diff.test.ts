import { describe, expect, it } from 'vitest';
import { describeChanges, leafChanges } from '../kubernetes/actions/field-changes.ts';
import { Application } from './application.ts';
import { objectsOf } from './desired-manifests.ts';
import { project, renderedSource } from './diff.ts';
import { statusText } from './read-tools.ts';
import { localPath } from './repo-url.ts';

const desired = {
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'cart', namespace: 'shop' },
  spec: {
    replicas: 3,
    template: {
      spec: {
        containers: [
          { name: 'cart', image: 'cart:1.5.0', env: [{ name: 'DB_PASSWORD', value: 'from-git' }] },
        ],
      },
    },
  },
};

describe('live against Git', () => {
  it('compares only the fields Git sets, each as live → Git, secrets hidden', () => {
    const live = {
      ...desired,
      metadata: {
        name: 'cart',
        namespace: 'shop',
        uid: 'u',
        labels: { 'app.kubernetes.io/instance': 'storefront' },
      },
      spec: {
        replicas: 2,
        strategy: { type: 'RollingUpdate' },
        template: {
          spec: {
            containers: [
              {
                name: 'cart',
                image: 'cart:1.4.0',
                imagePullPolicy: 'IfNotPresent',
                env: [{ name: 'DB_PASSWORD', value: 'set-by-hand' }],
              },
            ],
          },
        },
      },
      status: { replicas: 2 },
    };

    const changes = describeChanges('Deployment', leafChanges(project(live, desired), desired));

    expect(changes.map((c) => `${c.path}: ${c.from} → ${c.to}`)).toEqual([
      'spec.replicas: 2 → 3',
      'spec.template.spec.containers[cart].env[DB_PASSWORD].value: [redacted] → [redacted; changed]',
      'spec.template.spec.containers[cart].image: cart:1.4.0 → cart:1.5.0',
    ]);
    expect(JSON.stringify(changes)).not.toContain('set-by-hand');
    expect(JSON.stringify(changes)).not.toContain('from-git');
  });

  it('keeps a container added by hand, which Git does not declare', () => {
    const live = {
      spec: {
        template: {
          spec: {
            containers: [
              { name: 'cart', image: 'cart:1.5.0' },
              { name: 'debug', image: 'busybox' },
            ],
          },
        },
      },
    };

    const projected = project(live, { spec: desired.spec }) as typeof live;

    expect(projected.spec.template.spec.containers.map((c) => c.name)).toEqual(['cart', 'debug']);
  });
});

describe('manifests read from Git', () => {
  it('places namespaced objects in the destination namespace, and leaves cluster-scoped ones out of it', () => {
    const objects = objectsOf(
      'apiVersion: v1\nkind: Service\nmetadata: {name: cart}\n---\n---\napiVersion: v1\nkind: Namespace\nmetadata: {name: shop}\n',
      'cart.yaml',
      'shop',
    );

    expect(objects.map((o) => [o.kind, o.metadata.namespace])).toEqual([
      ['Service', 'shop'],
      ['Namespace', undefined],
    ]);
  });

  it('names the file of a document that is not an object', () => {
    expect(() => objectsOf('kind: Service\n', 'bad.yaml', 'shop')).toThrow(
      'bad.yaml: a document is not a Kubernetes object with a name',
    );
  });

  it('reads only repositories on this machine', () => {
    expect(localPath('file:///tmp/gitops.git')).toBe('/tmp/gitops.git');
    expect(localPath('/srv/gitops.git')).toBe('/srv/gitops.git');
    expect(localPath('https://git.example.com/gitops.git')).toBeUndefined();
  });
});

describe('an application’s status as text', () => {
  it('says what a person needs: sync, health, conditions, the last operation and the tree', () => {
    const app = Application.parse({
      metadata: { name: 'orders', namespace: 'argocd' },
      spec: {
        project: 'default',
        source: { repoURL: 'file:///g.git', path: 'apps/orders', targetRevision: 'main' },
        destination: { server: 'https://kubernetes.default.svc', namespace: 'orders' },
        syncPolicy: { automated: { prune: false, selfHeal: true } },
      },
      status: {
        sync: { status: 'OutOfSync', revision: 'c'.repeat(40) },
        health: { status: 'Healthy' },
        conditions: [{ type: 'SyncError', message: 'field is immutable' }],
        operationState: {
          operation: { sync: { revision: 'c'.repeat(40) }, initiatedBy: { automated: true } },
          phase: 'Failed',
          message: 'one or more objects failed to apply',
          startedAt: '2026-03-02T10:00:00Z',
          finishedAt: '2026-03-02T10:00:00Z',
          syncResult: {
            revision: 'c'.repeat(40),
            resources: [
              {
                group: 'apps',
                kind: 'Deployment',
                namespace: 'orders',
                name: 'orders-api',
                status: 'SyncFailed',
                message: 'field is immutable',
              },
            ],
          },
        },
        resources: [
          {
            group: 'apps',
            version: 'v1',
            kind: 'Deployment',
            namespace: 'orders',
            name: 'orders-api',
            status: 'OutOfSync',
            health: { status: 'Healthy' },
          },
          {
            version: 'v1',
            kind: 'ConfigMap',
            namespace: 'orders',
            name: 'old',
            status: 'OutOfSync',
            requiresPruning: true,
          },
        ],
      },
    });

    const text = statusText(app, Date.parse('2026-03-02T10:05:00Z'));

    expect(text).toContain('Sync policy: automated (self-heal)');
    expect(text).toContain('Sync: OutOfSync (revision ccccccc)');
    expect(text).toContain('Condition SyncError: field is immutable');
    expect(text).toContain(
      'Last operation: Failed sync to ccccccc by automated sync, 5m ago: one or more objects failed to apply\n  apps/Deployment orders/orders-api: SyncFailed (field is immutable)',
    );
    expect(text).toMatch(/apps\/Deployment\s+orders\s+orders-api\s+OutOfSync\s+Healthy/);
    expect(text).toMatch(/ConfigMap\s+orders\s+old\s+OutOfSync \(requires pruning\)/);
  });
});

describe('sources whose manifests Argo CD renders', () => {
  const app = (spec: unknown) => Application.parse({ metadata: { name: 'web' }, spec });

  it('names a chart, Helm or Kustomize settings, a plugin and several sources', () => {
    const repoURL = 'https://github.com/acme/deploy';

    expect(renderedSource(app({ source: { repoURL, chart: 'nginx' } }))).toBe(
      'is the Helm chart nginx',
    );
    expect(
      renderedSource(app({ source: { repoURL, path: 'web', helm: { valueFiles: [] } } })),
    ).toBe('is rendered by Helm (spec.source.helm)');
    expect(renderedSource(app({ source: { repoURL, path: 'web', kustomize: {} } }))).toBe(
      'is rendered by Kustomize (spec.source.kustomize)',
    );
    expect(
      renderedSource(app({ source: { repoURL, path: 'web', plugin: { name: 'cdk8s' } } })),
    ).toBe('is rendered by a config management plugin (spec.source.plugin)');
    expect(
      renderedSource(
        app({
          sources: [
            { repoURL, path: 'a' },
            { repoURL, path: 'b' },
          ],
        }),
      ),
    ).toBe('has several sources (spec.sources)');
  });

  it('takes a plain directory source', () => {
    expect(
      renderedSource(app({ source: { repoURL: 'https://github.com/acme/deploy', path: 'web' } })),
    ).toBeUndefined();
  });
});
