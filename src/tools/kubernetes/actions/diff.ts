import { createHash } from 'node:crypto';
import { stringify } from 'yaml';
import { type LeafChange, type PathPart, pathText } from '../../../policy/field-path.ts';
import { REDACTED } from '../../../policy/redact.ts';
import { redactObject } from '../../../policy/redact-object.ts';
import type { FieldChange } from './action.ts';
import {
  CHANGED_VALUE,
  comparable,
  describeChanges,
  isSensitive,
  leafChanges,
} from './field-changes.ts';

/**
 * A unified diff of an object before and after a change, as YAML, without the fields that change
 * on every write (resourceVersion, generation, managed fields, status): what a person approving
 * the change needs to see, and what re-validation compares.
 */
const CONTEXT = 3;
/** The diff is for reading; the list of changes beside it is the complete account, never cut. */
const MAX_LINES = 1_000;

/** What a dry run shows people and policy: the field changes, the line diff, the digest. */
export type ChangeView = {
  /** The raw leaves that differ: what policy judges and what decides "no change". */
  leaves: LeafChange[];
  /** The object as the change leaves it (undefined for a delete), for policy to judge whole. */
  after: unknown;
  /** Each changed field with old → new, redacted. */
  changes: FieldChange[];
  diff: string;
  digest: string;
};

export function viewChange(
  label: string,
  kind: string,
  before: unknown,
  after: unknown | undefined,
): ChangeView {
  const digest = changeDigest(before, after);
  if (after === undefined) {
    return {
      leaves: [],
      after: undefined,
      changes: [{ path: '(the whole object)', from: 'exists', to: 'deleted' }],
      diff: [
        `--- ${label} (live)`,
        `+++ ${label} (deleted; the server accepted a dry-run delete)`,
      ].join('\n'),
      digest,
    };
  }
  const leaves = leafChanges(before, after);
  const changes = describeChanges(kind, leaves);
  const hidden = new Set(changes.filter((c) => c.to === CHANGED_VALUE).map((c) => c.path));
  const body = unified(lines(before, kind, new Set()), lines(after, kind, hidden));
  const header = [`--- ${label} (live)`, `+++ ${label} (after the change, server dry run)`];
  if (body.length === 0) {
    const note =
      changes.length === 0 ? '(no change)' : '(only hidden values change; see the list of changes)';
    return { leaves, after, changes, diff: [...header, note].join('\n'), digest };
  }
  const shown =
    body.length > MAX_LINES
      ? [...body.slice(0, MAX_LINES), `… ${body.length - MAX_LINES} more diff lines`]
      : body;
  return { leaves, after, changes, diff: [...header, ...shown].join('\n'), digest };
}

/**
 * A fingerprint of what a change does: every field it touches, by path (list items by name), with
 * the raw values before and after. Two dry runs with the same fingerprint make the same change,
 * whatever else moved in the object meanwhile (a new label elsewhere does not count), and a swap
 * of two identical-looking list items does not. Only the hash is kept, so the values it covers
 * never leave the worker.
 */
export function changeDigest(before: unknown, after: unknown | undefined): string {
  const leaves = leafChanges(before, after).map((l) => [pathText(l.parts), l.before, l.after]);
  return createHash('sha256')
    .update(JSON.stringify([after === undefined ? 'delete' : 'change', leaves]))
    .digest('hex');
}

/**
 * The object as YAML lines for people: redacted, and every value that may hold a secret shown
 * only as `[redacted]`, or `[redacted; changed]` where the change alters it (`hidden`).
 */
function lines(object: unknown, kind: string, hidden: ReadonlySet<string>): string[] {
  const copy = comparable(redactObject(object));
  for (const leaf of leafChanges(undefined, copy)) {
    const path = pathText(leaf.parts);
    if (hidden.has(path)) setAt(copy, leaf.parts, CHANGED_VALUE);
    else if (isSensitive(kind, leaf.parts)) setAt(copy, leaf.parts, REDACTED);
  }
  return stringify(copy, { sortMapEntries: true }).trimEnd().split('\n');
}

/** Sets the value at a path found by `leafChanges` (lists by name where names are unique). */
function setAt(root: unknown, parts: readonly PathPart[], value: unknown): void {
  let node = root;
  for (const [i, part] of parts.entries()) {
    const last = i === parts.length - 1;
    if ('key' in part) {
      if (typeof node !== 'object' || node === null || Array.isArray(node)) return;
      const record = node as Record<string, unknown>;
      if (last) {
        if (part.key in record) record[part.key] = value;
        return;
      }
      node = record[part.key];
      continue;
    }
    if (!Array.isArray(node)) return;
    const names = node.map((item) => (item as { name?: unknown })?.name);
    const byName =
      names.every((n) => typeof n === 'string') && new Set(names).size === names.length;
    const index = byName ? names.indexOf(part.item) : Number(part.item.replace(/^#/, ''));
    if (index < 0 || index >= node.length) return;
    if (last) {
      node[index] = value;
      return;
    }
    node = node[index];
  }
}

/** Hunks of a line diff (longest common subsequence), with three lines of context. */
function unified(a: string[], b: string[]): string[] {
  const n = a.length;
  const m = b.length;
  const width = m + 1;
  const lcs = new Int32Array((n + 1) * width);
  const at = (i: number, j: number) => lcs[i * width + j] ?? 0;
  for (let i = n - 1; i >= 0; i--) {
    for (let j = m - 1; j >= 0; j--) {
      lcs[i * width + j] =
        a[i] === b[j] ? at(i + 1, j + 1) + 1 : Math.max(at(i + 1, j), at(i, j + 1));
    }
  }
  type Op = { kind: ' ' | '-' | '+'; text: string; aLine: number; bLine: number };
  const ops: Op[] = [];
  let i = 0;
  let j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && a[i] === b[j]) {
      ops.push({ kind: ' ', text: a[i] ?? '', aLine: i++, bLine: j++ });
    } else if (i < n && (j >= m || at(i + 1, j) >= at(i, j + 1))) {
      ops.push({ kind: '-', text: a[i] ?? '', aLine: i++, bLine: j });
    } else {
      ops.push({ kind: '+', text: b[j] ?? '', aLine: i, bLine: j++ });
    }
  }
  const same = (k: number) => ops[k]?.kind === ' ';
  const out: string[] = [];
  let k = 0;
  while (k < ops.length) {
    if (same(k)) {
      k++;
      continue;
    }
    const start = Math.max(0, k - CONTEXT);
    let end = k;
    while (end < ops.length) {
      if (!same(end)) {
        end++;
        continue;
      }
      let run = end;
      while (run < ops.length && same(run)) run++;
      if (run - end > CONTEXT * 2 || run === ops.length) {
        end = Math.min(ops.length, end + CONTEXT);
        break;
      }
      end = run;
    }
    const hunk = ops.slice(start, end);
    out.push(`@@ -${(hunk[0]?.aLine ?? 0) + 1} +${(hunk[0]?.bLine ?? 0) + 1} @@`);
    for (const op of hunk) out.push(`${op.kind}${op.text}`);
    k = end;
  }
  return out;
}
