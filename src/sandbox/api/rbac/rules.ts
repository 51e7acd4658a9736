/**
 * The RBAC authorizer's decision, as kube-apiserver's makes it: a request's attributes against
 * the rules of every Role and ClusterRole bound to the user, by ClusterRoleBindings anywhere and
 * by RoleBindings in the request's namespace. Rules only allow; nothing matching is a refusal.
 * Pure: the policy objects come in through `Policy`, so it is tested without a server.
 */
export type UserInfo = {
  name: string;
  uid?: string;
  groups: string[];
  extra?: Record<string, string[]>;
};

export type PolicyRule = {
  verbs?: string[];
  apiGroups?: string[];
  resources?: string[];
  resourceNames?: string[];
  nonResourceURLs?: string[];
};

export type Subject = { kind?: string; apiGroup?: string; name?: string; namespace?: string };
export type RoleRef = { apiGroup?: string; kind?: string; name?: string };
export type Binding = {
  metadata: { name: string; namespace?: string };
  subjects?: Subject[];
  roleRef?: RoleRef;
};
export type Role = { metadata: { name: string; namespace?: string }; rules?: PolicyRule[] };

/** What a request asks to do: a resource request or, without `resource`, a non-resource path. */
export type Attributes = {
  verb: string;
  group?: string;
  resource?: string;
  subresource?: string;
  name?: string;
  namespace?: string;
  path?: string;
};

/** The policy objects the decision reads. */
export type Policy = {
  clusterRoleBindings(): readonly Binding[];
  roleBindings(namespace: string): readonly Binding[];
  clusterRole(name: string): Role | undefined;
  role(namespace: string, name: string): Role | undefined;
};

export type Decision = { allowed: boolean; reason: string };

export function serviceAccountUser(namespace: string, name: string): string {
  return `system:serviceaccount:${namespace}:${name}`;
}

export function ruleAllows(rule: PolicyRule, attrs: Attributes): boolean {
  if (!has(rule.verbs, attrs.verb)) return false;
  if (attrs.resource === undefined) return pathMatches(rule.nonResourceURLs, attrs.path ?? '');
  if (!has(rule.apiGroups, attrs.group ?? '')) return false;
  if (!resourceMatches(rule.resources, attrs.resource, attrs.subresource)) return false;
  const names = rule.resourceNames ?? [];
  return names.length === 0 || (attrs.name !== undefined && names.includes(attrs.name));
}

function has(list: string[] | undefined, value: string): boolean {
  return (list ?? []).some((item) => item === '*' || item === value);
}

/** `pods` covers only pods; `pods/log` the log; `*` everything; `*∕log` every kind's log. */
function resourceMatches(
  rules: string[] | undefined,
  resource: string,
  subresource: string | undefined,
): boolean {
  const combined = subresource === undefined ? resource : `${resource}/${subresource}`;
  return (rules ?? []).some(
    (r) => r === '*' || r === combined || (subresource !== undefined && r === `*/${subresource}`),
  );
}

/** A rule's URL is the path itself, `*`, or a prefix ending in `*`. */
function pathMatches(urls: string[] | undefined, path: string): boolean {
  return (urls ?? []).some(
    (url) =>
      url === '*' || url === path || (url.endsWith('*') && path.startsWith(url.slice(0, -1))),
  );
}

/** Whether a binding's subject is the user; a ServiceAccount's namespace defaults to the binding's. */
export function subjectIs(subject: Subject, user: UserInfo, bindingNamespace?: string): boolean {
  if (subject.kind === 'User') return subject.name === user.name;
  if (subject.kind === 'Group') return user.groups.includes(subject.name ?? '');
  if (subject.kind === 'ServiceAccount') {
    const namespace = subject.namespace || bindingNamespace;
    if (namespace === undefined || subject.name === undefined) return false;
    return user.name === serviceAccountUser(namespace, subject.name);
  }
  return false;
}

/** Each role bound to the user with the binding that binds it, cluster-wide first. */
export function* boundRoles(
  policy: Policy,
  user: UserInfo,
  namespace: string | undefined,
): Generator<{ binding: Binding; subject: Subject; role: Role; kind: string }> {
  for (const binding of policy.clusterRoleBindings()) {
    const subject = (binding.subjects ?? []).find((s) => subjectIs(s, user));
    if (subject === undefined || binding.roleRef?.kind !== 'ClusterRole') continue;
    const role = policy.clusterRole(binding.roleRef.name ?? '');
    if (role !== undefined) yield { binding, subject, role, kind: 'ClusterRoleBinding' };
  }
  if (namespace === undefined || namespace === '') return;
  for (const binding of policy.roleBindings(namespace)) {
    const subject = (binding.subjects ?? []).find((s) => subjectIs(s, user, namespace));
    if (subject === undefined) continue;
    const name = binding.roleRef?.name ?? '';
    const role =
      binding.roleRef?.kind === 'ClusterRole'
        ? policy.clusterRole(name)
        : binding.roleRef?.kind === 'Role'
          ? policy.role(namespace, name)
          : undefined;
    if (role !== undefined) yield { binding, subject, role, kind: 'RoleBinding' };
  }
}

export function authorize(policy: Policy, user: UserInfo, attrs: Attributes): Decision {
  const namespace = attrs.resource === undefined ? undefined : attrs.namespace;
  for (const { binding, subject, role, kind } of boundRoles(policy, user, namespace)) {
    if (!(role.rules ?? []).some((rule) => ruleAllows(rule, attrs))) continue;
    const where =
      kind === 'RoleBinding'
        ? `${binding.metadata.name}/${binding.metadata.namespace}`
        : binding.metadata.name;
    return {
      allowed: true,
      reason: `RBAC: allowed by ${kind} "${where}" of ${binding.roleRef?.kind} "${binding.roleRef?.name}" to ${describe(subject)}`,
    };
  }
  return { allowed: false, reason: '' };
}

function describe(subject: Subject): string {
  if (subject.kind === 'ServiceAccount' && subject.namespace)
    return `ServiceAccount "${subject.namespace}/${subject.name}"`;
  return `${subject.kind} "${subject.name}"`;
}

/** The rules that apply to the user in a namespace (`auth can-i --list`), in binding order. */
export function rulesFor(policy: Policy, user: UserInfo, namespace: string): PolicyRule[] {
  const rules: PolicyRule[] = [];
  for (const { role } of boundRoles(policy, user, namespace)) rules.push(...(role.rules ?? []));
  return rules;
}
