import { describe, expect, it } from 'vitest';
import { findResource, type ResourceType } from '../catalog.ts';
import { type KObject, ObjectStore } from '../store.ts';
import { preventEscalation, requestScope } from './escalation.ts';
import { policyOf } from './store-policy.ts';

const RBAC = 'rbac.authorization.k8s.io';
const ROLES = findResource(RBAC, 'v1', 'roles') as ResourceType;
const BINDINGS = findResource(RBAC, 'v1', 'rolebindings') as ResourceType;
const CLUSTER_ROLES = findResource(RBAC, 'v1', 'clusterroles') as ResourceType;
const CLUSTER_BINDINGS = findResource(RBAC, 'v1', 'clusterrolebindings') as ResourceType;
const bob = { user: { name: 'bob', groups: ['system:authenticated'] }, kubeconfigUser: false };

function role(name: string, rules: Record<string, string[]>[]): KObject {
  return { apiVersion: `${RBAC}/v1`, kind: 'Role', metadata: { name, namespace: 'team' }, rules };
}

function binding(name: string, roleName: string, user = 'bob'): KObject {
  return {
    apiVersion: `${RBAC}/v1`,
    kind: 'RoleBinding',
    metadata: { name, namespace: 'team' },
    roleRef: { apiGroup: RBAC, kind: 'Role', name: roleName },
    subjects: [{ kind: 'User', apiGroup: RBAC, name: user }],
  };
}

/** A store where bob may read pods in `team`, and runs `write` as bob's request. */
function asBob(write: (store: ObjectStore) => void, extraRules: Record<string, string[]>[] = []) {
  const store = new ObjectStore();
  store.create(
    ROLES,
    role('bob-role', [
      { verbs: ['get', 'list'], apiGroups: [''], resources: ['pods'] },
      ...extraRules,
    ]),
  );
  store.create(BINDINGS, binding('bob', 'bob-role'));
  const access = { deny: [], policy: policyOf(store) };
  return () => requestScope.run({ access, requester: bob }, () => write(store));
}

describe('the RBAC escalation check', () => {
  it('lets a user grant what they hold', () => {
    const write = asBob(() =>
      preventEscalation(
        ROLES,
        role('r', [{ verbs: ['get'], apiGroups: [''], resources: ['pods'] }]),
      ),
    );

    expect(write).not.toThrow();
  });

  it('refuses a role with permissions the user does not hold, naming them', () => {
    const write = asBob(() =>
      preventEscalation(
        ROLES,
        role('r', [{ verbs: ['get'], apiGroups: [''], resources: ['secrets'] }]),
      ),
    );

    expect(write).toThrow(
      'roles.rbac.authorization.k8s.io "r" is forbidden: user "bob" (groups=["system:authenticated"]) is attempting to grant RBAC permissions not currently held:\n{APIGroups:[""], Resources:["secrets"], Verbs:["get"]}',
    );
  });

  it('reads * in a granted rule as itself, not as what the user holds', () => {
    const write = asBob(() =>
      preventEscalation(ROLES, role('r', [{ verbs: ['*'], apiGroups: [''], resources: ['pods'] }])),
    );

    expect(write).toThrow(/not currently held/);
  });

  it('lets a user with escalate on the role write it anyway', () => {
    const escalate = [{ verbs: ['escalate'], apiGroups: [RBAC], resources: ['roles'] }];
    const write = asBob(
      () =>
        preventEscalation(
          ROLES,
          role('r', [{ verbs: ['get'], apiGroups: [''], resources: ['secrets'] }]),
        ),
      escalate,
    );

    expect(write).not.toThrow();
  });

  it('refuses a binding to a role with more than the user holds, unless they may bind it', () => {
    const secrets = role('secrets', [{ verbs: ['get'], apiGroups: [''], resources: ['secrets'] }]);
    const bindIt = [
      { verbs: ['bind'], apiGroups: [RBAC], resources: ['roles'], resourceNames: ['secrets'] },
    ];
    const write = (store: ObjectStore) => {
      store.create(ROLES, secrets);
      preventEscalation(BINDINGS, binding('give', 'secrets', 'carol'));
    };

    expect(asBob(write)).toThrow(/not currently held/);
    expect(asBob(write, bindIt)).not.toThrow();
  });

  it('checks nothing outside a request: the sandbox writes its own policy', () => {
    expect(() =>
      preventEscalation(ROLES, role('r', [{ verbs: ['*'], apiGroups: ['*'], resources: ['*'] }])),
    ).not.toThrow();
  });

  it('refuses an aggregationRule, set or dropped, to anyone without every permission', () => {
    const aggregated = (rule: boolean): KObject => ({
      apiVersion: `${RBAC}/v1`,
      kind: 'ClusterRole',
      metadata: { name: 'mine' },
      rules: [],
      ...(rule
        ? {
            aggregationRule: {
              clusterRoleSelectors: [
                { matchLabels: { 'kubernetes.io/bootstrapping': 'rbac-defaults' } },
              ],
            },
          }
        : {}),
    });
    const editRoles = [
      { verbs: ['create', 'update'], apiGroups: [RBAC], resources: ['clusterroles'] },
    ];
    const message =
      'clusterroles.rbac.authorization.k8s.io "mine" is forbidden: must have cluster-admin privileges to use the aggregationRule';

    const create = asBob(() => preventEscalation(CLUSTER_ROLES, aggregated(true)), editRoles);
    const drop = asBob(
      () => preventEscalation(CLUSTER_ROLES, aggregated(false), aggregated(true)),
      editRoles,
    );
    const plain = asBob(
      () => preventEscalation(CLUSTER_ROLES, aggregated(false), aggregated(false)),
      editRoles,
    );

    expect(create).toThrow(message);
    expect(drop).toThrow(message);
    expect(plain).not.toThrow();
  });

  it('lets a user holding everything through a ClusterRoleBinding set an aggregationRule', () => {
    const write = (store: ObjectStore) => {
      store.create(CLUSTER_ROLES, {
        apiVersion: `${RBAC}/v1`,
        kind: 'ClusterRole',
        metadata: { name: 'all' },
        rules: [
          { verbs: ['*'], apiGroups: ['*'], resources: ['*'] },
          { verbs: ['*'], nonResourceURLs: ['*'] },
        ],
      });
      store.create(CLUSTER_BINDINGS, {
        apiVersion: `${RBAC}/v1`,
        kind: 'ClusterRoleBinding',
        metadata: { name: 'bob-all' },
        roleRef: { apiGroup: RBAC, kind: 'ClusterRole', name: 'all' },
        subjects: [{ kind: 'User', apiGroup: RBAC, name: 'bob' }],
      });
      preventEscalation(CLUSTER_ROLES, {
        apiVersion: `${RBAC}/v1`,
        kind: 'ClusterRole',
        metadata: { name: 'agg' },
        aggregationRule: { clusterRoleSelectors: [{ matchLabels: { a: 'b' } }] },
      });
    };

    expect(asBob(write)).not.toThrow();
  });

  it('answers a binding to a missing role with the 404 of its lookup, unless bind is held', () => {
    const bindGhost = [
      { verbs: ['bind'], apiGroups: [RBAC], resources: ['roles'], resourceNames: ['ghost'] },
    ];
    const write = () => preventEscalation(BINDINGS, binding('to-ghost', 'ghost', 'carol'));

    expect(asBob(write)).toThrow('roles.rbac.authorization.k8s.io "ghost" not found');
    expect(asBob(write, bindGhost)).not.toThrow();
  });
});
