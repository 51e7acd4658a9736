import { parseAllDocuments } from 'yaml';
import { CoxswainError } from '../../errors.ts';
import { escalations } from '../../policy/escalation.ts';
import type { FieldChange } from '../kubernetes/actions/action.ts';
import { describeChanges, leafChanges } from '../kubernetes/actions/field-changes.ts';

/**
 * What a manifest change does to the objects it declares, judged as a patch to them would be:
 * every field it touches (old → new, values of sensitive fields hidden), refused when a field is
 * one no tier allows (a privileged container, RBAC, Secrets, an Argo CD application's source…),
 * since Argo CD applies whatever the pull request merges. Pure: both texts come from the clone.
 */

type Declared = { kind: string; name: string; namespace: string | undefined; object: unknown };

export type ManifestJudgement = {
  /** Every field of every declared object the change touches. */
  changes: FieldChange[];
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
  const reasons: string[] = [];
  let first: { kind: string; name: string } | undefined;
  for (const [key, pair] of pairs(old, next)) {
    const leaves = leafChanges(pair.before?.object ?? {}, pair.after?.object ?? {});
    if (leaves.length === 0) continue;
    const one = (pair.after ?? pair.before) as Declared;
    first ??= { kind: one.kind, name: one.name };
    reasons.push(
      ...escalations(
        { kind: one.kind, name: one.name, namespace: one.namespace ?? namespace },
        leaves,
        pair.after?.object,
      ).map((r) => `${key}: ${r}`),
    );
    const verb = pair.before === undefined ? 'added' : pair.after === undefined ? 'removed' : '';
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
  return { changes, object: first, namespace: named.size === 1 ? ([...named][0] ?? '*') : '*' };
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
