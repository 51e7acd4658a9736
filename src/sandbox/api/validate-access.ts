import type { ResourceType } from './catalog.ts';
import { canonical } from './hash.ts';
import type { Any } from './loose-object.ts';
import type { KObject } from './store.ts';

/**
 * The RBAC, networking and scheduling checks of the real API server that clients rely on:
 * rules that say what they cover, bindings whose role reference is fixed once made, ingresses
 * that route somewhere, and priority classes whose value does not change.
 */

const RBAC_GROUP = 'rbac.authorization.k8s.io';
const MAX_USER_PRIORITY = 1_000_000_000;
const SYSTEM_CLASSES: Record<string, number> = {
  'system-node-critical': 2_000_001_000,
  'system-cluster-critical': 2_000_000_000,
};

export function accessProblems(type: ResourceType, object: KObject, previous?: KObject): string[] {
  const o = object as Any;
  switch (type.kind) {
    case 'Role':
    case 'ClusterRole':
      return rules(o.rules ?? [], type.namespaced);
    case 'RoleBinding':
    case 'ClusterRoleBinding':
      return binding(o, type.namespaced, previous as Any | undefined);
    case 'PriorityClass':
      return priorityClass(o, previous as Any | undefined);
    case 'Ingress':
      return ingress(o.spec ?? {});
    case 'IngressClass':
      return ingressClass(o.spec ?? {}, previous as Any | undefined);
    case 'NetworkPolicy':
      return (o.spec?.policyTypes ?? []).flatMap((t: string, i: number) =>
        ['Ingress', 'Egress'].includes(t)
          ? []
          : [
              `spec.policyTypes[${i}]: Unsupported value: "${t}": supported values: "Egress", "Ingress"`,
            ],
      );
    default:
      return [];
  }
}

/** Go's `%#v` of a []string, as the API server prints a rule's list in its errors. */
function goStrings(list: string[]): string {
  return `[]string{${list.map((s) => JSON.stringify(s)).join(', ')}}`;
}

function rules(list: Any[], namespaced: boolean): string[] {
  return list.flatMap((rule, i) => {
    const at = `rules[${i}]`;
    const out: string[] = [];
    if ((rule.verbs ?? []).length === 0)
      out.push(`${at}.verbs: Required value: verbs must contain at least one value`);
    const urls: string[] = rule.nonResourceURLs ?? [];
    if (urls.length > 0) {
      if (namespaced)
        out.push(
          `${at}.nonResourceURLs: Invalid value: ${goStrings(urls)}: namespaced rules cannot apply to non-resource URLs`,
        );
      if ((rule.apiGroups ?? []).length > 0 || (rule.resources ?? []).length > 0)
        out.push(
          `${at}.nonResourceURLs: Invalid value: ${goStrings(urls)}: rules cannot apply to both regular resources and non-resource URLs`,
        );
      return out;
    }
    if ((rule.apiGroups ?? []).length === 0)
      out.push(
        `${at}.apiGroups: Required value: resource rules must supply at least one api group`,
      );
    if ((rule.resources ?? []).length === 0)
      out.push(`${at}.resources: Required value: resource rules must supply at least one resource`);
    return out;
  });
}

function binding(o: Any, namespaced: boolean, previous: Any | undefined): string[] {
  const out: string[] = [];
  const ref = (o.roleRef ?? {}) as Any;
  if (ref.apiGroup !== RBAC_GROUP)
    out.push(
      `roleRef.apiGroup: Unsupported value: "${ref.apiGroup ?? ''}": supported values: "${RBAC_GROUP}"`,
    );
  const kinds = namespaced ? ['Role', 'ClusterRole'] : ['ClusterRole'];
  if (!kinds.includes(ref.kind))
    out.push(
      `roleRef.kind: Unsupported value: "${ref.kind ?? ''}": supported values: ${kinds.map((k) => `"${k}"`).join(', ')}`,
    );
  if (!ref.name) out.push('roleRef.name: Required value');
  ((o.subjects ?? []) as Any[]).forEach((s, i) => {
    out.push(...subject(s, `subjects[${i}]`, namespaced));
  });
  if (previous !== undefined && canonical(previous.roleRef) !== canonical(o.roleRef))
    out.push(
      `roleRef: Invalid value: rbac.RoleRef{APIGroup:"${ref.apiGroup ?? ''}", Kind:"${ref.kind ?? ''}", Name:"${ref.name ?? ''}"}: cannot change roleRef`,
    );
  return out;
}

function subject(s: Any, at: string, namespaced: boolean): string[] {
  const out: string[] = [];
  if (!s.name) out.push(`${at}.name: Required value`);
  if (s.kind === 'ServiceAccount') {
    if (s.apiGroup)
      out.push(`${at}.apiGroup: Unsupported value: "${s.apiGroup}": supported values: ""`);
    if (!namespaced && !s.namespace) out.push(`${at}.namespace: Required value`);
  } else if (s.kind === 'User' || s.kind === 'Group') {
    if (s.apiGroup !== RBAC_GROUP)
      out.push(
        `${at}.apiGroup: Unsupported value: "${s.apiGroup ?? ''}": supported values: "${RBAC_GROUP}"`,
      );
  } else {
    out.push(
      `${at}.kind: Unsupported value: "${s.kind ?? ''}": supported values: "ServiceAccount", "User", "Group"`,
    );
  }
  return out;
}

function priorityClass(o: Any, previous: Any | undefined): string[] {
  const out: string[] = [];
  const name = o.metadata.name as string;
  const value = o.value ?? 0;
  if (name.startsWith('system-')) {
    const known = SYSTEM_CLASSES[name];
    if (known === undefined)
      out.push(
        `metadata.name: Forbidden: priority class names with 'system-' prefix are reserved for system use only. error: ${name} is not a known system priority class`,
      );
    else if (known !== value)
      out.push(
        `metadata.name: Forbidden: priority class names with 'system-' prefix are reserved for system use only. error: value of ${name} PriorityClass must be ${known}`,
      );
  } else if (value > MAX_USER_PRIORITY) {
    out.push(
      `value: Forbidden: maximum allowed value of a user defined priority is ${MAX_USER_PRIORITY}`,
    );
  }
  const policy = o.preemptionPolicy;
  if (policy !== undefined && !['Never', 'PreemptLowerPriority'].includes(policy))
    out.push(
      `preemptionPolicy: Unsupported value: "${policy}": supported values: "Never", "PreemptLowerPriority"`,
    );
  if (previous !== undefined) {
    if ((previous.value ?? 0) !== value)
      out.push('value: Forbidden: may not be changed in an update.');
    if (previous.preemptionPolicy !== policy)
      out.push(`preemptionPolicy: Invalid value: "${policy}": field is immutable`);
  }
  return out;
}

function ingress(spec: Any): string[] {
  const out: string[] = [];
  const rulesList = (spec.rules ?? []) as Any[];
  if (spec.defaultBackend === undefined && rulesList.length === 0)
    out.push('spec: Invalid value: "": either `defaultBackend` or `rules` must be specified');
  if (spec.defaultBackend !== undefined)
    out.push(...backend(spec.defaultBackend, 'spec.defaultBackend'));
  rulesList.forEach((rule, i) => {
    const at = `spec.rules[${i}].http`;
    if (rule.http === undefined) return;
    const paths = (rule.http.paths ?? []) as Any[];
    if (paths.length === 0) out.push(`${at}.paths: Required value`);
    paths.forEach((p, j) => {
      const here = `${at}.paths[${j}]`;
      if (p.pathType === undefined)
        out.push(`${here}.pathType: Required value: pathType must be specified`);
      else if (!['Exact', 'ImplementationSpecific', 'Prefix'].includes(p.pathType))
        out.push(
          `${here}.pathType: Unsupported value: "${p.pathType}": supported values: "Exact", "ImplementationSpecific", "Prefix"`,
        );
      if (['Exact', 'Prefix'].includes(p.pathType) && !String(p.path ?? '').startsWith('/'))
        out.push(`${here}.path: Invalid value: "${p.path ?? ''}": must be an absolute path`);
      out.push(...backend(p.backend ?? {}, `${here}.backend`));
    });
  });
  return out;
}

function backend(b: Any, at: string): string[] {
  if (b.service !== undefined && b.resource !== undefined)
    return [`${at}: Invalid value: "": cannot set both resource and service backends`];
  if (b.service === undefined && b.resource === undefined)
    return [`${at}: Invalid value: "": resource or service backend is required`];
  if (b.resource !== undefined) return [];
  const port = (b.service.port ?? {}) as Any;
  const out: string[] = [];
  if (!b.service.name) out.push(`${at}.service.name: Required value`);
  if (port.name && port.number)
    out.push(`${at}.service.port: Invalid value: "": cannot set both port name & port number`);
  else if (!port.name && !port.number)
    out.push(`${at}.service.port.name: Required value: port name or number is required`);
  return out;
}

function ingressClass(spec: Any, previous: Any | undefined): string[] {
  if (!spec.controller) return ['spec.controller: Required value'];
  const before = previous?.spec?.controller;
  if (before !== undefined && before !== spec.controller)
    return [`spec.controller: Invalid value: "${spec.controller}": field is immutable`];
  return [];
}
