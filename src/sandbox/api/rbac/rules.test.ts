import { describe, expect, it } from 'vitest';
import { authorize, type Binding, type Policy, type Role, ruleAllows, rulesFor } from './rules.ts';

const RBAC = 'rbac.authorization.k8s.io';
const bob = { name: 'bob', groups: ['system:authenticated'] };
const bot = {
  name: 'system:serviceaccount:ops:bot',
  groups: ['system:serviceaccounts', 'system:serviceaccounts:ops', 'system:authenticated'],
};

function policy(roles: Role[], clusterRoles: Role[], bindings: Binding[]): Policy {
  return {
    clusterRoleBindings: () => bindings.filter((b) => b.metadata.namespace === undefined),
    roleBindings: (ns) => bindings.filter((b) => b.metadata.namespace === ns),
    clusterRole: (name) => clusterRoles.find((r) => r.metadata.name === name),
    role: (ns, name) => roles.find((r) => r.metadata.name === name && r.metadata.namespace === ns),
  };
}

function bind(
  name: string,
  namespace: string | undefined,
  kind: 'Role' | 'ClusterRole',
  role: string,
  subjects: Binding['subjects'],
): Binding {
  return {
    metadata: namespace === undefined ? { name } : { name, namespace },
    roleRef: { apiGroup: RBAC, kind, name: role },
    ...(subjects === undefined ? {} : { subjects }),
  };
}

describe('ruleAllows', () => {
  const podsReader = { verbs: ['get', 'list'], apiGroups: [''], resources: ['pods'] };

  it('matches verb, group and resource, and nothing else', () => {
    const list = { verb: 'list', group: '', resource: 'pods', namespace: 'x' };

    expect(ruleAllows(podsReader, list)).toBe(true);
    expect(ruleAllows(podsReader, { ...list, verb: 'delete' })).toBe(false);
    expect(ruleAllows(podsReader, { ...list, group: 'apps' })).toBe(false);
    expect(ruleAllows(podsReader, { ...list, resource: 'secrets' })).toBe(false);
  });

  it('keeps subresources apart from their resource, unless named or wildcarded', () => {
    const log = { verb: 'get', group: '', resource: 'pods', subresource: 'log', name: 'web' };

    expect(ruleAllows(podsReader, log)).toBe(false);
    expect(ruleAllows({ ...podsReader, resources: ['pods/log'] }, log)).toBe(true);
    expect(ruleAllows({ ...podsReader, resources: ['*/log'] }, log)).toBe(true);
    expect(ruleAllows({ ...podsReader, resources: ['*'] }, log)).toBe(true);
    expect(ruleAllows({ ...podsReader, resources: ['*/status'] }, log)).toBe(false);
  });

  it('limits a rule with resourceNames to those names, which a list never has', () => {
    const rule = {
      verbs: ['get', 'list'],
      apiGroups: [''],
      resources: ['configmaps'],
      resourceNames: ['a'],
    };
    const get = { verb: 'get', group: '', resource: 'configmaps' };

    expect(ruleAllows(rule, { ...get, name: 'a' })).toBe(true);
    expect(ruleAllows(rule, { ...get, name: 'b' })).toBe(false);
    expect(ruleAllows(rule, { ...get, verb: 'list' })).toBe(false);
  });

  it('treats * as every verb, group and resource', () => {
    const all = { verbs: ['*'], apiGroups: ['*'], resources: ['*'] };

    expect(
      ruleAllows(all, { verb: 'deletecollection', group: 'apps', resource: 'deployments' }),
    ).toBe(true);
    expect(ruleAllows(all, { verb: 'get', path: '/healthz' })).toBe(false);
  });

  it('matches non-resource URLs exactly or by a trailing * prefix', () => {
    const rule = { verbs: ['get'], nonResourceURLs: ['/api', '/apis/*'] };

    expect(ruleAllows(rule, { verb: 'get', path: '/api' })).toBe(true);
    expect(ruleAllows(rule, { verb: 'get', path: '/api/v1' })).toBe(false);
    expect(ruleAllows(rule, { verb: 'get', path: '/apis/apps/v1' })).toBe(true);
    expect(ruleAllows(rule, { verb: 'post', path: '/api' })).toBe(false);
    expect(ruleAllows(rule, { verb: 'get', group: '', resource: 'pods' })).toBe(false);
  });
});

describe('authorize', () => {
  const reader: Role = {
    metadata: { name: 'reader' },
    rules: [{ verbs: ['get', 'list', 'watch'], apiGroups: [''], resources: ['pods', 'pods/log'] }],
  };
  const leases: Role = {
    metadata: { name: 'leases', namespace: 'ops' },
    rules: [
      { verbs: ['get', 'update'], apiGroups: ['coordination.k8s.io'], resources: ['leases'] },
    ],
  };
  const discovery: Role = {
    metadata: { name: 'system:discovery' },
    rules: [{ verbs: ['get'], nonResourceURLs: ['/api', '/api/*'] }],
  };

  it('allows through a RoleBinding only in its own namespace, to a ClusterRole as well', () => {
    const p = policy(
      [],
      [reader],
      [
        bind('bob-reads', 'shop', 'ClusterRole', 'reader', [
          { kind: 'User', apiGroup: RBAC, name: 'bob' },
        ]),
      ],
    );
    const list = { verb: 'list', group: '', resource: 'pods' };

    const inShop = authorize(p, bob, { ...list, namespace: 'shop' });

    expect(inShop).toEqual({
      allowed: true,
      reason: 'RBAC: allowed by RoleBinding "bob-reads/shop" of ClusterRole "reader" to User "bob"',
    });
    expect(authorize(p, bob, { ...list, namespace: 'other' }).allowed).toBe(false);
    expect(authorize(p, bob, list).allowed).toBe(false);
  });

  it('allows everywhere through a ClusterRoleBinding to a group', () => {
    const p = policy(
      [],
      [reader],
      [
        bind('all-read', undefined, 'ClusterRole', 'reader', [
          { kind: 'Group', apiGroup: RBAC, name: 'system:authenticated' },
        ]),
      ],
    );

    expect(authorize(p, bob, { verb: 'watch', group: '', resource: 'pods' }).allowed).toBe(true);
    expect(
      authorize(p, bob, { verb: 'delete', group: '', resource: 'pods', namespace: 'a' }).allowed,
    ).toBe(false);
  });

  it('maps a ServiceAccount subject to its user name, its namespace defaulting to the binding', () => {
    const p = policy(
      [leases],
      [],
      [bind('bot-leases', 'ops', 'Role', 'leases', [{ kind: 'ServiceAccount', name: 'bot' }])],
    );
    const update = {
      verb: 'update',
      group: 'coordination.k8s.io',
      resource: 'leases',
      namespace: 'ops',
      name: 'leader',
    };

    expect(authorize(p, bot, update).allowed).toBe(true);
    expect(authorize(p, { ...bot, name: 'system:serviceaccount:other:bot' }, update).allowed).toBe(
      false,
    );
    expect(authorize(p, bot, { ...update, resource: 'pods', group: '' }).allowed).toBe(false);
  });

  it('binds the ServiceAccounts groups as groups', () => {
    const p = policy(
      [leases],
      [],
      [
        bind('all-sa', 'ops', 'Role', 'leases', [
          { kind: 'Group', apiGroup: RBAC, name: 'system:serviceaccounts:ops' },
        ]),
      ],
    );
    const get = { verb: 'get', group: 'coordination.k8s.io', resource: 'leases', namespace: 'ops' };

    expect(authorize(p, bot, get).allowed).toBe(true);
    expect(authorize(p, bob, get).allowed).toBe(false);
  });

  it('ignores a binding to a role that does not exist, and a ClusterRoleBinding to a Role', () => {
    const p = policy(
      [leases],
      [],
      [
        bind('missing', 'ops', 'Role', 'nope', [{ kind: 'User', apiGroup: RBAC, name: 'bob' }]),
        bind('wrong', undefined, 'Role', 'leases', [{ kind: 'User', apiGroup: RBAC, name: 'bob' }]),
      ],
    );

    expect(
      authorize(p, bob, {
        verb: 'get',
        group: 'coordination.k8s.io',
        resource: 'leases',
        namespace: 'ops',
      }).allowed,
    ).toBe(false);
  });

  it('decides non-resource paths from ClusterRoleBindings only', () => {
    const p = policy(
      [],
      [discovery],
      [
        bind('system:discovery', undefined, 'ClusterRole', 'system:discovery', [
          { kind: 'Group', apiGroup: RBAC, name: 'system:authenticated' },
        ]),
      ],
    );

    expect(authorize(p, bob, { verb: 'get', path: '/api/v1' }).allowed).toBe(true);
    expect(authorize(p, bob, { verb: 'get', path: '/metrics' }).allowed).toBe(false);
    expect(authorize(p, { name: 'anon', groups: [] }, { verb: 'get', path: '/api' }).allowed).toBe(
      false,
    );
  });

  it('lists the rules that apply in a namespace', () => {
    const p = policy(
      [leases],
      [reader],
      [
        bind('bot-leases', 'ops', 'Role', 'leases', [
          { kind: 'ServiceAccount', name: 'bot', namespace: 'ops' },
        ]),
        bind('bot-reads', undefined, 'ClusterRole', 'reader', [
          { kind: 'ServiceAccount', name: 'bot', namespace: 'ops' },
        ]),
      ],
    );

    expect(rulesFor(p, bot, 'ops')).toEqual([...(reader.rules ?? []), ...(leases.rules ?? [])]);
    expect(rulesFor(p, bot, 'default')).toEqual(reader.rules);
  });
});
