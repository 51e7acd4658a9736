import { findResource, type ResourceType } from '../catalog.ts';
import type { ObjectStore } from '../store.ts';
import type { Binding, Policy, Role } from './rules.ts';

/** The RBAC decision's policy, read from the objects stored now. */
const RBAC = 'rbac.authorization.k8s.io';
const type = (plural: string) => findResource(RBAC, 'v1', plural) as ResourceType;
const ROLES = type('roles');
const CLUSTER_ROLES = type('clusterroles');
const ROLE_BINDINGS = type('rolebindings');
const CLUSTER_ROLE_BINDINGS = type('clusterrolebindings');

export function policyOf(store: ObjectStore): Policy {
  return {
    clusterRoleBindings: () => store.view(CLUSTER_ROLE_BINDINGS) as readonly Binding[],
    roleBindings: (namespace) => store.view(ROLE_BINDINGS, namespace) as readonly Binding[],
    clusterRole: (name) => store.peek(CLUSTER_ROLES, undefined, name) as Role | undefined,
    role: (namespace, name) => store.peek(ROLES, namespace, name) as Role | undefined,
  };
}
