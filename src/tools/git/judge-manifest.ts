import { isScalar, parseAllDocuments, visit } from 'yaml';
import { CoxswainError } from '../../errors.ts';
import { escalations } from '../../policy/escalation.ts';
import type { FieldChange } from '../kubernetes/actions/action.ts';
import { viewChange } from '../kubernetes/actions/diff.ts';
import { describeChanges, leafChanges } from '../kubernetes/actions/field-changes.ts';

/**
 * What a manifest change does to the objects it declares, judged as a patch to them would be:
 * every field it touches (old → new, values of sensitive fields hidden), refused when a field is
 * one no tier allows (a privileged container, RBAC, Secrets, an Argo CD application's source…),
 * since Argo CD applies whatever the pull request merges. Pure: both texts come from the clone.
 */

type Declared = { kind: string; name: string; namespace: string | undefined; object: unknown };

/**
 * The kinds a manifest change may declare: namespaced workloads and their configuration. A file
 * that Argo CD would expand into other objects (a List, a Kustomization, an Application), or that
 * reaches beyond one namespace (cluster-scoped kinds, admission webhooks, projects, namespaces),
 * is not a fix Coxswain proposes, whatever it holds.
 */
const FIXABLE_KINDS = new Set([
  'Deployment',
  'StatefulSet',
  'DaemonSet',
  'ReplicaSet',
  'Job',
  'CronJob',
  'Service',
  'ConfigMap',
  'HorizontalPodAutoscaler',
  'PodDisruptionBudget',
  'Ingress',
  'PersistentVolumeClaim',
  'LimitRange',
  'ResourceQuota',
]);

export type ManifestJudgement = {
  /** Every field of every declared object the change touches. */
  changes: FieldChange[];
  /**
   * Each changed object before and after, as a diff of the objects (not of the file's text), with
   * what is never shown hidden as on any cluster change: Secret data, env values, the
   * last-applied annotation.
   */
  diff: string;
  /** The first object it changes, for the card and the audit trail. */
  object: { kind: string; name: string };
  /**
   * The namespace it reaches: the one its objects name or the caller says they deploy to, or
   * `*` when they reach several or are cluster-wide.
   */
  namespace: string;
};

export function judgeManifestChange(
  path: string,
  before: string | undefined,
  after: string,
  namespace: string | undefined,
): ManifestJudgement {
  const old = before === undefined ? [] : objectsOf(path, before, 'the file on the branch');
  const next = objectsOf(path, after, 'the new content');
  if (next.length === 0)
    throw new CoxswainError('git', `the new content of ${path} declares no Kubernetes object`);
  const named = new Set(next.concat(old).map((o) => o.namespace ?? namespace ?? '*'));
  for (const o of next)
    if (namespace !== undefined && o.namespace !== undefined && o.namespace !== namespace)
      throw new CoxswainError(
        'git',
        `${o.kind} ${o.name} in ${path} names namespace ${o.namespace}, not ${namespace}`,
      );
  const changes: FieldChange[] = [];
  const diffs: string[] = [];
  const reasons: string[] = [];
  let first: { kind: string; name: string } | undefined;
  for (const [key, pair] of pairs(old, next)) {
    const leaves = leafChanges(pair.before?.object ?? {}, pair.after?.object ?? {});
    if (leaves.length === 0) continue;
    const one = (pair.after ?? pair.before) as Declared;
    if (!FIXABLE_KINDS.has(one.kind)) {
      reasons.push(
        `${key}: Coxswain proposes manifest changes to namespaced workloads and their configuration only (${[...FIXABLE_KINDS].join(', ')}), not ${one.kind}`,
      );
      continue;
    }
    if (pair.after === undefined) {
      reasons.push(
        `${key}: removing its document would make Argo CD delete it; a fix never deletes through Git`,
      );
      continue;
    }
    first ??= { kind: one.kind, name: one.name };
    reasons.push(
      ...escalations(
        { kind: one.kind, name: one.name, namespace: one.namespace ?? namespace },
        leaves,
        pair.after?.object,
      ).map((r) => `${key}: ${r}`),
    );
    const verb = pair.before === undefined ? 'added' : '';
    const view = viewChange(key, one.kind, pair.before?.object ?? {}, pair.after.object);
    diffs.push(
      [
        `--- ${key} (${pair.before === undefined ? 'not in the file' : 'on the branch'})`,
        `+++ ${key} (in the pull request)`,
        ...view.diff.split('\n').slice(2),
      ].join('\n'),
    );
    changes.push(
      ...describeChanges(one.kind, leaves).map((c) => ({
        ...c,
        path: `${key}${verb ? ` (${verb})` : ''} ${c.path}`,
      })),
    );
  }
  if (reasons.length > 0)
    throw new CoxswainError(
      'forbidden_change',
      `forbidden whatever the tier: ${reasons.join('; ')}`,
    );
  if (first === undefined)
    throw new CoxswainError('no_change', `the new content of ${path} changes no object's fields`);
  return {
    changes,
    diff: diffs.join('\n'),
    object: first,
    namespace: named.size === 1 ? ([...named][0] ?? '*') : '*',
  };
}

function objectsOf(path: string, text: string, what: string): Declared[] {
  let documents: ReturnType<typeof parseAllDocuments>;
  try {
    documents = parseAllDocuments(text, { uniqueKeys: true });
  } catch (error) {
    throw new CoxswainError('git', `${what} of ${path} is not YAML: ${(error as Error).message}`);
  }
  const list = Array.isArray(documents) ? documents : [];
  const found: Declared[] = [];
  for (const doc of list) {
    const error = doc.errors[0];
    if (error !== undefined)
      throw new CoxswainError('git', `${what} of ${path} is not valid YAML: ${error.message}`);
    refuseIndirection(doc, `${what} of ${path}`);
    const object: unknown = doc.toJS({ maxAliasCount: 100 });
    if (object === null || object === undefined) continue;
    const meta = (object as { metadata?: { name?: unknown; namespace?: unknown } }).metadata;
    const kind = (object as { kind?: unknown }).kind;
    if (typeof kind !== 'string' || typeof meta?.name !== 'string')
      throw new CoxswainError('git', `${what} of ${path} holds a document without kind and name`);
    found.push({
      kind,
      name: meta.name,
      namespace: typeof meta.namespace === 'string' ? meta.namespace : undefined,
      object,
    });
  }
  return found;
}

function pairs(
  old: readonly Declared[],
  next: readonly Declared[],
): Map<string, { before?: Declared; after?: Declared }> {
  const key = (o: Declared) => `${o.kind} ${o.namespace ? `${o.namespace}/` : ''}${o.name}`;
  const out = new Map<string, { before?: Declared; after?: Declared }>();
  for (const o of old) out.set(key(o), { before: o });
  for (const o of next) {
    const k = key(o);
    if (out.get(k)?.after !== undefined)
      throw new CoxswainError('git', `the new content declares ${k} twice`);
    out.set(k, { ...out.get(k), after: o });
  }
  return out;
}

/**
 * Aliases and merge keys (`<<`) make a document say more than it reads: Kubernetes' YAML merges
 * `<<`, and what an alias stands for is judged nowhere else. Neither is needed in a manifest.
 */
function refuseIndirection(doc: ReturnType<typeof parseAllDocuments>[number], what: string): void {
  let found: string | undefined;
  visit(doc, {
    Alias() {
      found = 'an alias (*name)';
      return visit.BREAK;
    },
    Pair(_, pair) {
      if (isScalar(pair.key) && pair.key.value === '<<') {
        found = 'a merge key (<<)';
        return visit.BREAK;
      }
      if (!isScalar(pair.key)) {
        found = 'a key that is not a plain string';
        return visit.BREAK;
      }
      return undefined;
    },
    Node(_, node) {
      if ('anchor' in node && typeof node.anchor === 'string' && node.anchor !== '') {
        found = 'an anchor (&name)';
        return visit.BREAK;
      }
      return undefined;
    },
  });
  if (found !== undefined)
    throw new CoxswainError(
      'forbidden_change',
      `forbidden whatever the tier: ${what} uses ${found}; write the fields out in full`,
    );
}
