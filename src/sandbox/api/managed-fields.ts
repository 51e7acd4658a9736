import {
  type FieldSet,
  fromFieldsV1,
  isObject,
  type Json,
  pathsOf,
  toFieldsV1,
  valueAt,
} from './field-set.ts';
import type { KObject } from './store.ts';

/**
 * `metadata.managedFields`: which manager set which fields, by which operation. An update takes
 * the fields it changed from whoever had them; server-side apply (server-side-apply.ts) shares
 * fields whose values agree and conflicts over the others.
 */
export type ManagedEntry = {
  manager: string;
  operation: 'Apply' | 'Update';
  apiVersion: string;
  time: string;
  fieldsType: 'FieldsV1';
  fieldsV1: Json;
  subresource?: string;
};

export type Owned = { entry: ManagedEntry; fields: FieldSet };

/** Fields the server sets or that say which object this is: never owned by a manager. */
const SERVER_METADATA = [
  'name',
  'namespace',
  'uid',
  'resourceVersion',
  'generation',
  'creationTimestamp',
  'deletionTimestamp',
  'deletionGracePeriodSeconds',
  'managedFields',
  'selfLink',
  'generateName',
];

/** What of an object managers own: all but its status, its type and the server's metadata. */
export function ownable(object: KObject | Record<string, unknown>): Json {
  const { status: _s, apiVersion: _a, kind: _k, metadata, ...rest } = object;
  const meta = { ...((metadata ?? {}) as Record<string, unknown>) };
  for (const key of SERVER_METADATA) delete meta[key];
  return (Object.keys(meta).length > 0 ? { ...rest, metadata: meta } : rest) as Json;
}

export function ownersOf(object: KObject | undefined): Owned[] {
  const entries = (object?.metadata.managedFields ?? []) as ManagedEntry[];
  return entries
    .filter((e) => typeof e?.manager === 'string')
    .map((entry) => ({ entry, fields: fromFieldsV1(entry.fieldsV1) }));
}

export function timestamp(now: Date): string {
  return now.toISOString().replace(/\.\d+Z$/, 'Z');
}

/** The entries to store: each with its fields, emptied ones dropped. */
export function entriesOf(owners: Owned[]): ManagedEntry[] {
  return owners
    .filter((o) => o.fields.size > 0)
    .map((o) => ({ ...o.entry, fieldsV1: toFieldsV1(o.fields) }));
}

/**
 * The managed fields after a create or update (not an apply): `manager`, when there is one,
 * owns what it changed, which nobody else owns any more; fields the write removed leave every
 * manager.
 */
export function recordUpdate(
  previous: KObject | undefined,
  next: KObject,
  manager: string | undefined,
  now: Date,
): ManagedEntry[] {
  const previousOwners = ownersOf(previous);
  // The simulator's controllers write without a manager, mostly to unmanaged objects.
  if (manager === undefined && previousOwners.length === 0) return [];
  const before = previous === undefined ? null : ownable(previous);
  const after = ownable(next);
  const changed = new Set(
    [...(manager === undefined ? [] : pathsOf(after))].filter((p) => {
      const path = JSON.parse(p) as string[];
      const was = valueAt(before, path);
      // A map or list item changes hands only when added; its members' changes are their own.
      if (isObject(valueAt(after, path) ?? null)) return was === undefined;
      return JSON.stringify(was) !== JSON.stringify(valueAt(after, path));
    }),
  );
  const owners = previousOwners.map(({ entry, fields }) => {
    const kept = [...fields].filter((p) => valueAt(after, JSON.parse(p) as string[]) !== undefined);
    const mine = entry.manager === manager && entry.operation === 'Update' && !entry.subresource;
    return { entry, fields: new Set(mine ? kept : kept.filter((p) => !changed.has(p))) };
  });
  if (manager !== undefined && changed.size > 0) {
    const at = owners.findIndex(
      (o) => o.entry.manager === manager && o.entry.operation === 'Update' && !o.entry.subresource,
    );
    const entry: ManagedEntry = {
      manager,
      operation: 'Update',
      apiVersion: next.apiVersion,
      time: timestamp(now),
      fieldsType: 'FieldsV1',
      fieldsV1: {},
    };
    const fields = new Set([...(owners[at]?.fields ?? []), ...changed]);
    if (at >= 0) owners.splice(at, 1);
    owners.push({ entry, fields });
  }
  return entriesOf(owners);
}
