import { createHash } from 'node:crypto';
import { stringify } from 'yaml';
import { redactObject } from '../../../policy/redact-object.ts';

/**
 * A unified diff of an object before and after a change, as YAML, without the fields that change
 * on every write (resourceVersion, generation, managed fields, status): what a person approving
 * the change needs to see, and what re-validation compares.
 */
const CONTEXT = 3;
const MAX_LINES = 120;

export function objectDiff(label: string, before: unknown, after: unknown | undefined): string {
  if (after === undefined) {
    return [
      `--- ${label} (live)`,
      `+++ ${label} (deleted; the server accepted a dry-run delete)`,
    ].join('\n');
  }
  const a = lines(before);
  const b = lines(after, changedEnv(before, after));
  const body = unified(a, b);
  const header = [
    `--- ${label} (live)`,
    `+++ ${label} (${after === undefined ? 'deleted' : 'after the change, server dry run'})`,
  ];
  if (body.length === 0) return [...header, '(no change)'].join('\n');
  const shown =
    body.length > MAX_LINES
      ? [...body.slice(0, MAX_LINES), `… ${body.length - MAX_LINES} more diff lines`]
      : body;
  return [...header, ...shown].join('\n');
}

/**
 * A fingerprint of what a change does: the whole diff (not cut, not redacted) of the object
 * before and after, without hunk positions. Two dry runs with the same fingerprint make the same
 * change, whatever else moved in the object meanwhile (a new label elsewhere does not count).
 * Only the hash is kept, so the values it covers never leave the worker.
 */
export function changeDigest(before: unknown, after: unknown | undefined): string {
  const a = lines(before, new Set(), false);
  const b = after === undefined ? [] : lines(after, new Set(), false);
  const body = unified(a, b).filter((line) => !line.startsWith('@@'));
  return createHash('sha256').update(body.join('\n')).digest('hex');
}

/** Env values are never shown, but a person approving a change must see that one changes. */
const CHANGED_VALUE = '[redacted; changed]';

type EnvHolder = { name?: unknown; env?: { name?: unknown; value?: unknown }[] };

function changedEnv(before: unknown, after: unknown): Set<string> {
  const values = (object: unknown) => {
    const out = new Map<string, unknown>();
    for (const c of containersOf(object)) {
      for (const e of c.env ?? []) out.set(`${String(c.name)}/${String(e.name)}`, e.value);
    }
    return out;
  };
  const old = values(before);
  const changed = new Set<string>();
  for (const [key, value] of values(after)) {
    if (old.has(key) && old.get(key) !== value) changed.add(key);
  }
  return changed;
}

/** The containers of a pod, or of a workload's pod template. */
function containersOf(object: unknown): EnvHolder[] {
  const spec = (
    object as {
      spec?: { containers?: EnvHolder[]; template?: { spec?: { containers?: EnvHolder[] } } };
    }
  )?.spec;
  return [...(spec?.containers ?? []), ...(spec?.template?.spec?.containers ?? [])];
}

function lines(object: unknown, changed = new Set<string>(), redact = true): string[] {
  const copy = (redact ? redactObject(object) : structuredClone(object)) as Record<string, unknown>;
  for (const c of containersOf(copy)) {
    for (const e of c.env ?? []) {
      if (changed.has(`${String(c.name)}/${String(e.name)}`)) e.value = CHANGED_VALUE;
    }
  }
  delete copy.status;
  const meta = copy.metadata as Record<string, unknown> | undefined;
  if (meta !== undefined) {
    for (const key of [
      'resourceVersion',
      'generation',
      'managedFields',
      'creationTimestamp',
      'uid',
      'selfLink',
    ])
      delete meta[key];
  }
  return stringify(copy, { sortMapEntries: true }).trimEnd().split('\n');
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
