import { AsyncLocalStorage } from 'node:async_hooks';
import { type Access, decide } from '../access.ts';
import { findResource, type ResourceType } from '../catalog.ts';
import { ApiError, type KObject, notFound, resourceName } from '../store.ts';
import { isSuperuser, type Requester } from './authenticate.ts';
import { type Attributes, type PolicyRule, type RoleRef, ruleAllows, rulesFor } from './rules.ts';

/**
 * RBAC's escalation check on writes to roles and bindings: a user may only grant permissions
 * they hold, unless allowed to `escalate` (roles) or `bind` (bindings) the role, as the API
 * server's RBAC storage refuses. Writes made by the sandbox itself (scenarios, controllers) run
 * outside any request and are not checked.
 */
export const requestScope = new AsyncLocalStorage<{ access: Access; requester: Requester }>();

const RBAC = 'rbac.authorization.k8s.io';
const ROLES = findResource(RBAC, 'v1', 'roles') as ResourceType;
const CLUSTER_ROLES = findResource(RBAC, 'v1', 'clusterroles') as ResourceType;

/** Everything, as the API server's `fullAuthority`: what an aggregationRule may gather. */
const FULL_AUTHORITY: PolicyRule[] = [
  { verbs: ['*'], apiGroups: ['*'], resources: ['*'] },
  { verbs: ['*'], nonResourceURLs: ['*'] },
];

/** `previous` is the stored object an update replaces; a create has none. */
export function preventEscalation(type: ResourceType, object: KObject, previous?: KObject): void {
  const scope = requestScope.getStore();
  if (scope === undefined || type.group !== RBAC) return;
  const { access, requester } = scope;
  if (isSuperuser(requester.user)) return;
  const namespace = type.namespaced ? object.metadata.namespace : undefined;
  const may = (verb: string, resource: string, name: string) =>
    decide(access, requester, {
      verb,
      group: RBAC,
      resource,
      name,
      ...(namespace === undefined ? {} : { namespace }),
    }).allowed;
  const ref = (object.roleRef ?? {}) as RoleRef;
  if (type.kind.endsWith('Binding')) {
    const plural = ref.kind === 'ClusterRole' ? 'clusterroles' : 'roles';
    if (may('bind', plural, ref.name ?? '')) return;
  } else if (may('escalate', type.plural, object.metadata.name)) {
    return;
  }
  const held = rulesFor(access.policy, requester.user, namespace ?? '');
  const granted = grantedRules(type, object, access, namespace);
  const missing = granted.filter((rule) => !covered(rule, held));
  if (missing.length > 0) {
    const groups = requester.user.groups.map((g) => JSON.stringify(g)).join(',');
    throw forbidden(
      type,
      object,
      `user "${requester.user.name}" (groups=[${groups}]) is attempting to grant RBAC permissions not currently held:\n${missing.map(describe).join('\n')}`,
    );
  }
  // An aggregationRule gathers any role's rules, so setting, changing or dropping one needs
  // every permission, whatever the rules written.
  const aggregates = hasAggregationRule(object) || hasAggregationRule(previous);
  if (type.kind === 'ClusterRole' && aggregates && !FULL_AUTHORITY.every((r) => covered(r, held)))
    throw forbidden(type, object, 'must have cluster-admin privileges to use the aggregationRule');
}

function hasAggregationRule(role: KObject | undefined): boolean {
  const rule = role?.aggregationRule as { clusterRoleSelectors?: unknown[] } | undefined;
  return (rule?.clusterRoleSelectors ?? []).length > 0;
}

/** The RBAC storage's refusal: a 403 naming the object written. */
function forbidden(type: ResourceType, object: KObject, reason: string): ApiError {
  const name = object.metadata.name;
  return new ApiError(403, 'Forbidden', `${resourceName(type)} "${name}" is forbidden: ${reason}`, {
    name,
    group: type.group,
    kind: type.plural,
  });
}

/**
 * The rules a write would grant: a role's own, or those of the role a binding names. A binding
 * to a role that does not exist fails as the rule resolver's lookup of it does: 404.
 */
function grantedRules(
  type: ResourceType,
  object: KObject,
  access: Access,
  namespace: string | undefined,
): PolicyRule[] {
  if (!type.kind.endsWith('Binding')) return (object.rules ?? []) as PolicyRule[];
  const ref = (object.roleRef ?? {}) as RoleRef;
  const clusterRole = ref.kind === 'ClusterRole';
  const role = clusterRole
    ? access.policy.clusterRole(ref.name ?? '')
    : access.policy.role(namespace ?? '', ref.name ?? '');
  if (role === undefined) throw notFound(clusterRole ? CLUSTER_ROLES : ROLES, ref.name ?? '');
  return role.rules ?? [];
}

/** Every verb, group, resource and name the rule names is allowed by some rule held. */
function covered(rule: PolicyRule, held: PolicyRule[]): boolean {
  const allowed = (attrs: Attributes) => held.some((h) => ruleAllows(h, attrs));
  const verbs = rule.verbs ?? [];
  if ((rule.nonResourceURLs ?? []).length > 0)
    return verbs.every((verb) =>
      (rule.nonResourceURLs ?? []).every((path) => allowed({ verb, path })),
    );
  const names = (rule.resourceNames ?? []).length > 0 ? (rule.resourceNames ?? []) : [undefined];
  return verbs.every((verb) =>
    (rule.apiGroups ?? []).every((group) =>
      (rule.resources ?? []).every((combined) => {
        const [resource = '', subresource] = combined.split('/');
        return names.every((name) =>
          allowed({
            verb,
            group,
            resource,
            ...(subresource === undefined ? {} : { subresource }),
            ...(name === undefined ? {} : { name }),
          }),
        );
      }),
    ),
  );
}

function describe(rule: PolicyRule): string {
  const list = (values: string[] | undefined) =>
    `[${(values ?? []).map((v) => JSON.stringify(v)).join(' ')}]`;
  const parts: string[] = [];
  if ((rule.nonResourceURLs ?? []).length > 0)
    parts.push(`NonResourceURLs:${list(rule.nonResourceURLs)}`);
  else {
    parts.push(`APIGroups:${list(rule.apiGroups)}`, `Resources:${list(rule.resources)}`);
    if ((rule.resourceNames ?? []).length > 0)
      parts.push(`ResourceNames:${list(rule.resourceNames)}`);
  }
  parts.push(`Verbs:${list(rule.verbs)}`);
  return `{${parts.join(', ')}}`;
}
