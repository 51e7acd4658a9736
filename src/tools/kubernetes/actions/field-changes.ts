import {
  keysOf,
  type LeafChange,
  type PathPart,
  pathText,
  visible,
} from '../../../policy/field-path.ts';
import { REDACTED, redactText } from '../../../policy/redact.ts';
import { redactObject } from '../../../policy/redact-object.ts';
import { isSecretKey } from '../../../policy/secret-key.ts';
import type { FieldChange } from './action.ts';

/**
 * Every field a change touches, found by walking the object before and after it side by side.
 * The raw leaves (`leafChanges`) are what the policy judges (escalation) and what decides "no
 * change"; their display (`describeChanges`) is what a person approving reads, values redacted
 * where they may hold secrets. Nothing here is cut: a change of sixty fields lists sixty.
 */

/** Metadata the API server changes on every write: never part of what a change does. */
const VOLATILE_METADATA = new Set([
  'resourceVersion',
  'generation',
  'managedFields',
  'creationTimestamp',
  'uid',
  'selfLink',
]);

const UNSET = '(unset)';
/** The path step of a change in the order of a list's named items. */
const ORDER = '(order)';
export const CHANGED_VALUE = '[redacted; changed]';

/** The leaves that differ between `before` and `after`, in a stable order. */
export function leafChanges(before: unknown, after: unknown): LeafChange[] {
  const out: LeafChange[] = [];
  walk(comparable(before), comparable(after), [], out);
  return out;
}

/** The object without what every write changes (status, resourceVersion and the like). */
export function comparable(object: unknown): unknown {
  if (!isRecord(object)) return object;
  const { status: _status, metadata, ...rest } = object;
  if (!isRecord(metadata)) return rest;
  const kept = Object.fromEntries(
    Object.entries(metadata).filter(([key]) => !VOLATILE_METADATA.has(key)),
  );
  return { ...rest, metadata: kept };
}

function walk(a: unknown, b: unknown, parts: PathPart[], out: LeafChange[]): void {
  if (same(a, b)) return;
  const from = shape(a);
  const to = shape(b);
  // A scalar that becomes a map (or back) is two changes: one goes, the other's leaves arrive.
  if (from !== to && from !== 'none' && to !== 'none') {
    if (from === 'scalar') out.push({ parts, before: a, after: undefined });
    else walk(a, undefined, parts, out);
    if (to === 'scalar') out.push({ parts, before: undefined, after: b });
    else walk(undefined, b, parts, out);
    return;
  }
  if ((isRecord(a) || a === undefined) && (isRecord(b) || b === undefined)) {
    const keys = [...new Set([...Object.keys(a ?? {}), ...Object.keys(b ?? {})])].sort();
    if (keys.length === 0) return void out.push({ parts, before: a, after: b });
    for (const key of keys) walk(a?.[key], b?.[key], [...parts, { key }], out);
    return;
  }
  if (isObjectList(a) && isObjectList(b)) {
    const byName = uniqueNames(a) && uniqueNames(b);
    // `#` marks a position, so an item named `0` never reads as the first item.
    const index = (list: unknown[]) =>
      new Map(
        list.map((item, i) => [byName ? String((item as { name: string }).name) : `#${i}`, item]),
      );
    const left = index(a ?? []);
    const right = index(b ?? []);
    const ids = [...new Set([...left.keys(), ...right.keys()])];
    if (ids.length === 0) return void out.push({ parts, before: a, after: b });
    // An item's name is in its path already.
    const inner = (item: unknown) => {
      if (!byName || !isRecord(item)) return item;
      const { name: _name, ...rest } = item;
      return rest;
    };
    for (const id of ids)
      walk(inner(left.get(id)), inner(right.get(id)), [...parts, { item: id }], out);
    // Order matters in a list of named items (init containers run in it; env expands in it).
    const order = (list: Map<string, unknown>, other: Map<string, unknown>) =>
      [...list.keys()].filter((id) => other.has(id));
    const before = order(left, right);
    const afterOrder = order(right, left);
    if (byName && before.join('\n') !== afterOrder.join('\n'))
      out.push({ parts: [...parts, { key: ORDER }], before, after: afterOrder });
    return;
  }
  out.push({ parts, before: a, after: b });
}

/** A list of objects (containers, env, volumes) is walked item by item; a list of words is one value. */
function isObjectList(value: unknown): value is unknown[] | undefined {
  return value === undefined || (Array.isArray(value) && value.every(isRecord));
}

function shape(value: unknown): 'none' | 'map' | 'list' | 'scalar' {
  if (value === undefined) return 'none';
  if (isRecord(value)) return 'map';
  return Array.isArray(value) && value.every(isRecord) ? 'list' : 'scalar';
}

function uniqueNames(list: unknown[] | undefined): boolean {
  const names = (list ?? []).map((item) => (item as { name?: unknown }).name);
  return names.every((n) => typeof n === 'string') && new Set(names).size === names.length;
}

/**
 * Whether a leaf may hold a secret whatever its text looks like: env values in any container
 * list (a CronJob's job template included), ConfigMap and Secret data, the last-applied
 * annotation (a copy of the whole object), and any map value under a secret-looking key.
 */
export function isSensitive(kind: string, parts: readonly PathPart[]): boolean {
  const keys = keysOf(parts);
  const last = keys.at(-1);
  const parent = keys.at(-2);
  if (last === 'value' && parent === 'env') return true;
  if (
    (kind === 'ConfigMap' || kind === 'Secret') &&
    ['data', 'binaryData', 'stringData'].includes(keys[0] ?? '')
  )
    return true;
  if (last === 'kubectl.kubernetes.io/last-applied-configuration') return true;
  // Anything under a key or a list item whose name says secret: `httpHeaders[Authorization].value`,
  // a Helm parameter `[db.password].value`, a custom resource's `spec.auth.password`.
  return parts.some((part) => isSecretKey('key' in part ? part.key : part.item));
}

/** What a person reads: each changed field with old → new, secrets shown only as changed. */
export function describeChanges(kind: string, leaves: readonly LeafChange[]): FieldChange[] {
  return leaves.map((leaf) => {
    const path = pathText(leaf.parts);
    if (isSensitive(kind, leaf.parts)) {
      return {
        path,
        from: leaf.before === undefined ? UNSET : REDACTED,
        to: leaf.after === undefined ? UNSET : leaf.before === undefined ? REDACTED : CHANGED_VALUE,
      };
    }
    const from = shown(leaf.before);
    const to = shown(leaf.after);
    // Redaction can make two different values read the same: the change must still show.
    return { path, from, to: from === to ? CHANGED_VALUE : to };
  });
}

/** One line per change: `path: old → new`. */
export function changeLines(changes: readonly FieldChange[]): string {
  return changes.map((c) => `${c.path}: ${c.from} → ${c.to}`).join('\n');
}

function shown(value: unknown): string {
  if (value === undefined) return UNSET;
  if (typeof value === 'string')
    return visible(redactText(/^[\w.:/@%+=-]+$/.test(value) ? value : JSON.stringify(value)));
  if (typeof value === 'number' || typeof value === 'boolean' || value === null)
    return String(value);
  // A list of arguments or a nested object: redacted as an object (`["--db-password", "x"]`).
  return visible(redactText(JSON.stringify(redactObject(value))));
}

function same(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  return JSON.stringify(sortKeys(a)) === JSON.stringify(sortKeys(b));
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (!isRecord(value)) return value;
  return Object.fromEntries(
    Object.keys(value)
      .sort()
      .map((key) => [key, sortKeys(value[key])]),
  );
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
