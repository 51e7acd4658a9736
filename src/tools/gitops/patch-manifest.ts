import {
  type Document,
  isMap,
  isScalar,
  isSeq,
  parseAllDocuments,
  type YAMLMap,
  type YAMLSeq,
} from 'yaml';
import { CoxswainError } from '../../errors.ts';
import type { Change } from '../kubernetes/actions/action.ts';

/**
 * A change made to a cluster object, made instead to the YAML document that declares it, keeping
 * the file's comments, order and style: a merge patch (RFC 7386) or a strategic merge patch
 * (lists of objects merged by `name`, as Kubernetes does for containers, env and volumes).
 * A JSON patch or a delete is not translated: such a change is proposed to the cluster.
 */
export function patchManifest(text: string, documentIndex: number, change: Change): string {
  if (change.method !== 'patch' || change.patchType === 'json')
    throw new CoxswainError(
      'git',
      'only merge and strategic merge patches can be made to a manifest',
    );
  const documents = parseAllDocuments(text);
  if (!Array.isArray(documents))
    throw new CoxswainError('git', 'the manifest holds no YAML documents');
  const doc = documents[documentIndex];
  if (doc === undefined || !isMap(doc.contents))
    throw new CoxswainError('git', `the manifest has no object at document ${documentIndex + 1}`);
  mergeInto(doc, doc.contents, change.body, change.patchType === 'strategic');
  return documents.map((d) => d.toString({ lineWidth: 0 })).join('');
}

function mergeInto(doc: Document, target: YAMLMap, patch: unknown, strategic: boolean): void {
  if (patch === null || typeof patch !== 'object' || Array.isArray(patch))
    throw new CoxswainError('git', 'a patch must be an object');
  for (const [key, value] of Object.entries(patch)) {
    if (key.startsWith('$')) continue;
    if (value === null) {
      target.delete(key);
      continue;
    }
    const current = target.get(key, true);
    if (isPlainObject(value)) {
      if (isMap(current)) mergeInto(doc, current, value, strategic);
      else target.set(key, doc.createNode(value));
      continue;
    }
    if (Array.isArray(value) && strategic && isSeq(current) && value.every(hasName)) {
      mergeList(doc, current, value);
      continue;
    }
    // A scalar changed in place keeps its comment and style.
    if (isScalar(current) && (value === null || typeof value !== 'object')) current.value = value;
    else target.set(key, doc.createNode(value));
  }
}

/** A strategic list merge by `name`: listed items are merged into theirs, new ones appended. */
function mergeList(doc: Document, list: YAMLSeq, patch: readonly Record<string, unknown>[]): void {
  for (const item of patch) {
    const existing = list.items.find((node) => isMap(node) && node.get('name') === item.name) as
      | YAMLMap
      | undefined;
    if (item.$patch === 'delete') {
      if (existing !== undefined) list.items.splice(list.items.indexOf(existing), 1);
      continue;
    }
    if (existing !== undefined) mergeInto(doc, existing, item, true);
    else list.items.push(doc.createNode(item));
  }
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function hasName(value: unknown): value is Record<string, unknown> & { name: string } {
  return isPlainObject(value) && typeof value.name === 'string';
}
