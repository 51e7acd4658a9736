import { Document, isMap, isSeq, stringify } from 'yaml';
import type { Autonomy, Binding } from '../../config/policy-schema.ts';
import { CoxswainError } from '../../errors.ts';
import { tierOf } from '../../policy/tiers.ts';
import { API_WRITES, type ApiWrite } from './actions/api-writes.ts';
import { groupOf, resourceOf } from './actions/target-api.ts';

/**
 * The RBAC objects of the write identity (a cluster's `writeAs`): in each namespace a binding
 * names, exactly the API writes of the actions the autonomy policy puts in a tier the binding may
 * use (safe for a `maxTier: safe` binding, safe and confirm for a `confirm` one; forbidden never).
 * A binding over every namespace (`*`) is a ClusterRole; any other glob cannot be said in RBAC.
 */

/** Who the objects grant to: the ServiceAccount `writeAs` names, or a plain user. */
export type WriterSubject =
  | { kind: 'ServiceAccount'; namespace: string; name: string }
  | { kind: 'User'; name: string };

export type WriterRbacInput = {
  cluster: string;
  bindings: readonly Binding[];
  autonomy: Autonomy;
  subject: WriterSubject;
  /** The command that printed it, for the header: how to make it again. */
  regenerate: string;
};

/** One permission: a verb on a resource of an API group. */
type Permission = { group: string; resource: string; verb: string };
type Rule = { apiGroups: string[]; resources: string[]; verbs: string[] };

/** Where the writes go: cluster-wide (`*`), or by namespace, with the bindings that ask for them. */
type Grants = {
  cluster: Map<string, Permission>;
  clusterBindings: string[];
  namespaces: Map<string, { permissions: Map<string, Permission>; bindings: string[] }>;
};

/** The subject of `writeAs`: a ServiceAccount for `system:serviceaccount:NS:NAME`, else a user. */
export function subjectOf(writeAs: string): WriterSubject {
  const account = /^system:serviceaccount:([^:]+):([^:]+)$/.exec(writeAs);
  return account === null
    ? { kind: 'User', name: writeAs }
    : { kind: 'ServiceAccount', namespace: account[1] ?? '', name: account[2] ?? '' };
}

/** The writes a binding may make: those whose tier (by verb and kind) it reaches. */
export function writesFor(binding: Binding, autonomy: Autonomy): ApiWrite[] {
  return API_WRITES.filter((write) => {
    const tier = tierOf({ verb: write.verb, kind: write.kind }, autonomy);
    return tier === 'safe' || (tier === 'confirm' && binding.maxTier === 'confirm');
  });
}

export function permissionOf(write: ApiWrite): Permission {
  return { group: groupOf(write.apiVersion), resource: resourceOf(write.kind), verb: write.method };
}

const keyOf = (p: Permission) => `${p.group}/${p.resource}/${p.verb}`;

function grantsOf(input: WriterRbacInput): Grants {
  const grants: Grants = { cluster: new Map(), clusterBindings: [], namespaces: new Map() };
  input.bindings.forEach((binding, index) => {
    if (!binding.clusters.includes(input.cluster)) return;
    const permissions = writesFor(binding, input.autonomy).map(permissionOf);
    if (permissions.length === 0) return;
    const label = `${binding.channel} (${binding.maxTier})`;
    if (binding.namespaces.includes('*')) {
      for (const p of permissions) grants.cluster.set(keyOf(p), p);
      grants.clusterBindings.push(label);
      return;
    }
    for (const namespace of binding.namespaces) {
      if (/[*?]/.test(namespace))
        throw new CoxswainError(
          'config_invalid',
          `bindings[${index}] (${binding.channel}) names namespaces "${namespace}": RBAC cannot grant a pattern, so the write identity's roles cannot follow it; list the namespaces it stands for instead`,
        );
      const entry = grants.namespaces.get(namespace) ?? {
        permissions: new Map<string, Permission>(),
        bindings: [] as string[],
      };
      for (const p of permissions) entry.permissions.set(keyOf(p), p);
      entry.bindings.push(label);
      grants.namespaces.set(namespace, entry);
    }
  });
  return grants;
}

/** Permissions as RBAC rules: one per API group and set of verbs, everything sorted. */
export function rulesOf(permissions: Iterable<Permission>): Rule[] {
  const verbs = new Map<string, { group: string; resource: string; verbs: Set<string> }>();
  for (const p of permissions) {
    const key = `${p.group}/${p.resource}`;
    const entry = verbs.get(key) ?? { group: p.group, resource: p.resource, verbs: new Set() };
    entry.verbs.add(p.verb);
    verbs.set(key, entry);
  }
  const rules = new Map<string, Rule>();
  for (const entry of verbs.values()) {
    const sorted = [...entry.verbs].sort();
    const key = `${entry.group}\n${sorted.join(',')}`;
    const rule = rules.get(key) ?? { apiGroups: [entry.group], resources: [], verbs: sorted };
    rule.resources.push(entry.resource);
    rules.set(key, rule);
  }
  const out = [...rules.values()];
  for (const rule of out) rule.resources.sort();
  return out.sort(
    (a, b) =>
      compare(a.apiGroups[0] ?? '', b.apiGroups[0] ?? '') ||
      compare(a.resources[0] ?? '', b.resources[0] ?? ''),
  );
}

const compare = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** The YAML `kubectl apply -f` takes: a header, then each object, in a fixed order. */
export function writerRbac(input: WriterRbacInput): string {
  const grants = grantsOf(input);
  const name = input.subject.kind === 'ServiceAccount' ? input.subject.name : 'coxswain-writer';
  const subject =
    input.subject.kind === 'ServiceAccount'
      ? { kind: 'ServiceAccount', name: input.subject.name, namespace: input.subject.namespace }
      : { kind: 'User', apiGroup: 'rbac.authorization.k8s.io', name: input.subject.name };
  const documents: string[] = [];
  if (grants.cluster.size > 0)
    documents.push(
      clusterWide(name, subject, rulesOf(grants.cluster.values()), grants.clusterBindings),
    );
  for (const namespace of [...grants.namespaces.keys()].sort()) {
    const entry = grants.namespaces.get(namespace);
    if (entry === undefined) continue;
    // What the ClusterRole grants already needs no Role again.
    const own = [...entry.permissions.entries()].filter(([key]) => !grants.cluster.has(key));
    if (own.length === 0) continue;
    const rules = rulesOf(own.map(([, p]) => p));
    documents.push(namespaced(name, namespace, subject, rules, entry.bindings));
  }
  const head = header(input, documents.length === 0);
  return documents.length === 0 ? head : `${head}\n${documents.join('---\n')}`;
}

function header(input: WriterRbacInput, empty: boolean): string {
  const who =
    input.subject.kind === 'ServiceAccount'
      ? `system:serviceaccount:${input.subject.namespace}:${input.subject.name}`
      : input.subject.name;
  const lines = [
    'Generated by `coxswain rbac` from the config file: edit the bindings or the autonomy',
    'policy there, not this file. Regenerate with:',
    `  ${input.regenerate}`,
    '',
    `Writes to cluster ${input.cluster} go as ${who}.`,
    'In each namespace a binding names, it may make the writes of the actions the autonomy policy',
    'puts in a tier the binding may use. Proposals dry-run their change as the same user, with the',
    "same verbs. The ServiceAccount itself, and the worker's right to impersonate it, are not here.",
  ];
  if (empty)
    lines.push('', `No binding on cluster ${input.cluster} allows a write: nothing is granted.`);
  return `${lines.map((line) => (line === '' ? '#' : `# ${line}`)).join('\n')}\n`;
}

const LABELS = { 'app.kubernetes.io/name': 'coxswain', 'app.kubernetes.io/component': 'writer' };
const RBAC_GROUP = 'rbac.authorization.k8s.io';

function clusterWide(name: string, subject: object, rules: Rule[], bindings: string[]): string {
  const comment = `# Cluster-wide, every namespace: the binding of ${bindings.join(', ')} names "*".`;
  return rolePair(comment, 'ClusterRole', { name, labels: LABELS }, subject, rules);
}

function namespaced(
  name: string,
  namespace: string,
  subject: object,
  rules: Rule[],
  bindings: string[],
): string {
  const comment = `# Namespace ${namespace}: in the binding of ${bindings.join(', ')}.`;
  return rolePair(comment, 'Role', { name, namespace, labels: LABELS }, subject, rules);
}

/** A role and the binding that grants it to the subject, each under the same comment. */
function rolePair(
  comment: string,
  kind: 'Role' | 'ClusterRole',
  metadata: { name: string; namespace?: string; labels: object },
  subject: object,
  rules: Rule[],
): string {
  const role = { apiVersion: `${RBAC_GROUP}/v1`, kind, metadata, rules };
  const binding = {
    apiVersion: `${RBAC_GROUP}/v1`,
    kind: `${kind}Binding`,
    metadata,
    roleRef: { apiGroup: RBAC_GROUP, kind, name: metadata.name },
    subjects: [subject],
  };
  return `${comment}\n${roleYaml(role)}---\n${comment}\n${stringify(binding)}`;
}

/** A role with each rule's lists on one line (`verbs: [patch]`), as people review them. */
function roleYaml(role: { rules: Rule[] }): string {
  const doc = new Document(role);
  const rules = doc.get('rules');
  if (isSeq(rules))
    for (const rule of rules.items)
      if (isMap(rule))
        for (const key of ['apiGroups', 'resources', 'verbs']) {
          const list = rule.get(key);
          if (isSeq(list)) list.flow = true;
        }
  return doc.toString({ flowCollectionPadding: false });
}
