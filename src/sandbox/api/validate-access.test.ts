import { describe, expect, it } from 'vitest';
import { findResource, type ResourceType } from './catalog.ts';
import type { KObject } from './store.ts';
import { accessProblems } from './validate-access.ts';

const RBAC = 'rbac.authorization.k8s.io';
const type = (group: string, plural: string) => findResource(group, 'v1', plural) as ResourceType;

function object(kind: string, apiVersion: string, fields: Record<string, unknown>): KObject {
  return { apiVersion, kind, metadata: { name: 'x', namespace: 'team' }, ...fields };
}

describe('accessProblems', () => {
  it('requires verbs, groups and resources of a resource rule, and keeps URLs out of Roles', () => {
    const roles = type(RBAC, 'roles');
    const bad = object('Role', `${RBAC}/v1`, {
      rules: [{ resources: ['pods'] }, { verbs: ['get'], nonResourceURLs: ['/healthz'] }],
    });

    expect(accessProblems(roles, bad)).toEqual([
      'rules[0].verbs: Required value: verbs must contain at least one value',
      'rules[0].apiGroups: Required value: resource rules must supply at least one api group',
      'rules[1].nonResourceURLs: Invalid value: []string{"/healthz"}: namespaced rules cannot apply to non-resource URLs',
    ]);
  });

  it("fixes a binding's roleRef once made and checks its subjects", () => {
    const bindings = type(RBAC, 'clusterrolebindings');
    const made = object('ClusterRoleBinding', `${RBAC}/v1`, {
      roleRef: { apiGroup: RBAC, kind: 'ClusterRole', name: 'view' },
      subjects: [{ kind: 'ServiceAccount', name: 'bot' }],
    });
    const changed = {
      ...made,
      roleRef: { apiGroup: RBAC, kind: 'ClusterRole', name: 'edit' },
      subjects: [],
    };

    expect(accessProblems(bindings, made)).toEqual(['subjects[0].namespace: Required value']);
    expect(accessProblems(bindings, changed, made)).toEqual([
      'roleRef: Invalid value: rbac.RoleRef{APIGroup:"rbac.authorization.k8s.io", Kind:"ClusterRole", Name:"edit"}: cannot change roleRef',
    ]);
  });

  it("keeps a PriorityClass's value and reserves system- names and values above a billion", () => {
    const classes = type('scheduling.k8s.io', 'priorityclasses');
    const pc = (name: string, value: number) => ({
      ...object('PriorityClass', 'scheduling.k8s.io/v1', { value }),
      metadata: { name },
    });

    expect(accessProblems(classes, pc('high', 2_000_000_000))).toEqual([
      'value: Forbidden: maximum allowed value of a user defined priority is 1000000000',
    ]);
    expect(accessProblems(classes, pc('system-node-critical', 2_000_001_000))).toEqual([]);
    expect(accessProblems(classes, pc('system-mine', 1))[0]).toMatch(
      /reserved for system use only/,
    );
    expect(accessProblems(classes, pc('high', 2), pc('high', 1))).toEqual([
      'value: Forbidden: may not be changed in an update.',
    ]);
  });

  it('requires an Ingress to route somewhere, by paths with a type', () => {
    const ingresses = type('networking.k8s.io', 'ingresses');
    const empty = object('Ingress', 'networking.k8s.io/v1', { spec: {} });
    const untyped = object('Ingress', 'networking.k8s.io/v1', {
      spec: {
        rules: [
          {
            http: {
              paths: [{ path: '/', backend: { service: { name: 'web', port: { number: 80 } } } }],
            },
          },
        ],
      },
    });

    expect(accessProblems(ingresses, empty)).toEqual([
      'spec: Invalid value: "": either `defaultBackend` or `rules` must be specified',
    ]);
    expect(accessProblems(ingresses, untyped)).toEqual([
      'spec.rules[0].http.paths[0].pathType: Required value: pathType must be specified',
    ]);
  });
});
