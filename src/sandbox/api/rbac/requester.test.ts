import { describe, expect, it } from 'vitest';
import { findResource, type ResourceType } from '../catalog.ts';
import { ObjectStore } from '../store.ts';
import { authenticateRequest, stillValid } from './requester.ts';
import { policyOf } from './store-policy.ts';
import { DEFAULT_AUDIENCE, TokenIssuer } from './tokens.ts';

const ACCOUNTS = findResource('', 'v1', 'serviceaccounts') as ResourceType;
const PODS = findResource('', 'v1', 'pods') as ResourceType;
const RBAC = 'rbac.authorization.k8s.io';
const ROLES = findResource(RBAC, 'v1', 'clusterroles') as ResourceType;
const BINDINGS = findResource(RBAC, 'v1', 'clusterrolebindings') as ResourceType;

function world() {
  const store = new ObjectStore();
  const account = store.create(ACCOUNTS, {
    apiVersion: 'v1',
    kind: 'ServiceAccount',
    metadata: { name: 'bot', namespace: 'ops' },
  });
  const pod = store.create(PODS, {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'web', namespace: 'ops' },
    spec: { serviceAccountName: 'bot', containers: [{ name: 'c', image: 'nginx' }] },
  });
  const claims = {
    namespace: 'ops',
    name: 'bot',
    uid: account.metadata.uid ?? '',
    audiences: [DEFAULT_AUDIENCE],
    expiresAt: Date.now() + 3_600_000,
  };
  return { store, pod, claims };
}

describe('stillValid', () => {
  it("accepts a token for this API server's audience only", () => {
    const { store, claims } = world();

    expect(stillValid(store, claims)).toBe(true);
    expect(stillValid(store, { ...claims, audiences: ['https://evil.example'] })).toBe(false);
  });

  it('ends a Pod-bound token with the Pod, and with a new Pod of the same name', () => {
    const { store, pod, claims } = world();
    const bound = {
      ...claims,
      bound: { kind: 'Pod' as const, name: 'web', uid: pod.metadata.uid ?? '' },
    };

    const before = stillValid(store, bound);
    store.remove(PODS, 'ops', 'web');
    const deleted = stillValid(store, bound);
    store.create(PODS, { ...pod, metadata: { name: 'web', namespace: 'ops' } });
    const recreated = stillValid(store, bound);

    expect([before, deleted, recreated]).toEqual([true, false, false]);
  });
  it('ends a Pod-bound token a minute after the Pod began to be deleted', () => {
    const { store, pod, claims } = world();
    const deletingSince = (seconds: number) => {
      const name = `deleting-${seconds}`;
      const created = store.create(PODS, { ...pod, metadata: { name, namespace: 'ops' } });
      const since = new Date(Date.now() - seconds * 1000).toISOString();
      store.replace(PODS, {
        ...created,
        metadata: { ...created.metadata, deletionTimestamp: since },
      });
      const ref = { kind: 'Pod' as const, name, uid: created.metadata.uid ?? '' };
      return stillValid(store, { ...claims, bound: ref });
    };

    expect(deletingSince(10)).toBe(true);
    expect(deletingSince(120)).toBe(false);
  });
});

describe('authenticateRequest', () => {
  const access = (store: ObjectStore) => ({ deny: [], policy: policyOf(store) });

  it('refuses with 401 a token issued for another audience', () => {
    const { store, claims } = world();
    const issuer = new TokenIssuer();
    const token = issuer.issue({ ...claims, audiences: ['https://evil.example'] }, Date.now());

    const authenticate = () =>
      authenticateRequest(access(store), store, issuer, { authorization: `Bearer ${token}` });

    expect(authenticate).toThrow('Unauthorized');
  });

  it('checks impersonate on userextras/KEY for each Impersonate-Extra value', () => {
    const { store, claims } = world();
    const issuer = new TokenIssuer();
    const token = issuer.issue(claims, Date.now());
    store.create(ROLES, {
      apiVersion: `${RBAC}/v1`,
      kind: 'ClusterRole',
      metadata: { name: 'impersonator' },
      rules: [
        { verbs: ['impersonate'], apiGroups: [''], resources: ['users'] },
        {
          verbs: ['impersonate'],
          apiGroups: ['authentication.k8s.io'],
          resources: ['userextras/scopes'],
          resourceNames: ['view'],
        },
      ],
    });
    store.create(BINDINGS, {
      apiVersion: `${RBAC}/v1`,
      kind: 'ClusterRoleBinding',
      metadata: { name: 'bot-impersonates' },
      roleRef: { apiGroup: RBAC, kind: 'ClusterRole', name: 'impersonator' },
      subjects: [{ kind: 'ServiceAccount', name: 'bot', namespace: 'ops' }],
    });
    const as = (scopes: string) => () =>
      authenticateRequest(access(store), store, issuer, {
        authorization: `Bearer ${token}`,
        'impersonate-user': 'alice',
        'impersonate-extra-scopes': scopes,
      });

    expect(as('view')().user).toMatchObject({ name: 'alice', extra: { scopes: ['view'] } });
    expect(as('admin')).toThrow(
      'userextras.authentication.k8s.io "admin" is forbidden: User "system:serviceaccount:ops:bot" cannot impersonate resource "userextras/scopes" in API group "authentication.k8s.io" at the cluster scope',
    );
  });
});
