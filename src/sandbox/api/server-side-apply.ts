import {
  type FieldSet,
  isObject,
  itemSegments,
  type Json,
  pathString,
  pathsOf,
  removeAt,
  valueAt,
} from './field-set.ts';
import {
  entriesOf,
  type ManagedEntry,
  type Owned,
  ownable,
  ownersOf,
  timestamp,
} from './managed-fields.ts';
import { ownValue, setOwn } from './own-keys.ts';
import { ApiError, type KObject } from './store.ts';

/**
 * Server-side apply (`kubectl apply --server-side`): the applied configuration is all a manager
 * wants. Fields it applies that another manager set to a different value are conflicts, refused
 * with 409 unless forced; fields it applied before and no longer applies are removed unless
 * someone else owns them; the rest merges into the live object.
 */
type Conflict = { entry: ManagedEntry; path: string[] };

export function applyConfiguration(
  live: KObject | undefined,
  config: KObject,
  manager: string,
  force: boolean,
  now: Date,
): KObject {
  const applied = pathsOf(ownable(config));
  const owners = ownersOf(live);
  const mine = owners.find((o) => isApplier(o.entry, manager));
  const others = owners.filter((o) => o !== mine);
  const conflicts = conflictsOf(others, applied, live, config);
  if (conflicts.length > 0 && !force) throw conflictError(conflicts);
  for (const { entry, path } of conflicts) {
    const owner = others.find((o) => o.entry === entry);
    owner?.fields.delete(JSON.stringify(path));
  }
  const merged = structuredClone(live ?? { ...config, metadata: { ...config.metadata } });
  for (const p of mine?.fields ?? []) {
    if (!applied.has(p) && !others.some((o) => o.fields.has(p)))
      removeAt(merged as unknown as Json, JSON.parse(p) as string[]);
  }
  mergeInto(merged as unknown as Json, config as unknown as Json);
  const entry: ManagedEntry = {
    manager,
    operation: 'Apply',
    apiVersion: config.apiVersion,
    time: timestamp(now),
    fieldsType: 'FieldsV1',
    fieldsV1: {},
  };
  const next: Owned[] = [...others, { entry, fields: applied }];
  merged.metadata.managedFields = entriesOf(next);
  return merged;
}

function isApplier(entry: ManagedEntry, manager: string): boolean {
  return entry.manager === manager && entry.operation === 'Apply' && !entry.subresource;
}

function conflictsOf(
  others: Owned[],
  applied: FieldSet,
  live: KObject | undefined,
  config: KObject,
): Conflict[] {
  if (live === undefined) return [];
  const current = ownable(live);
  const wanted = ownable(config);
  const out: Conflict[] = [];
  for (const owner of others) {
    for (const p of applied) {
      if (!owner.fields.has(p)) continue;
      const path = JSON.parse(p) as string[];
      const a = valueAt(current, path);
      const b = valueAt(wanted, path);
      // A map or list item both set is shared; only its members' values can disagree.
      if (isObject(a ?? null) && isObject(b ?? null)) continue;
      if (JSON.stringify(a) !== JSON.stringify(b)) out.push({ entry: owner.entry, path });
    }
  }
  return out;
}

/** The manager as the API server names it in a conflict: with its API version for an update. */
function managerName(entry: ManagedEntry): string {
  const name = JSON.stringify(entry.manager);
  const sub = entry.subresource ? ` with subresource ${JSON.stringify(entry.subresource)}` : '';
  return entry.operation === 'Update' ? `${name}${sub} using ${entry.apiVersion}` : `${name}${sub}`;
}

function conflictError(conflicts: Conflict[]): ApiError {
  const causes = conflicts.map(({ entry, path }) => ({
    type: 'FieldManagerConflict',
    message: `conflict with ${managerName(entry)}`,
    field: pathString(path),
  }));
  const [first] = conflicts;
  if (conflicts.length === 1 && first !== undefined) {
    return new ApiError(
      409,
      'Conflict',
      `Apply failed with 1 conflict: conflict with ${managerName(first.entry)}: ${pathString(first.path)}`,
      { causes },
    );
  }
  const byManager = new Map<string, string[]>();
  for (const { entry, path } of conflicts) {
    const name = managerName(entry);
    byManager.set(name, [...(byManager.get(name) ?? []), `- ${pathString(path)}`]);
  }
  const lines = [...byManager.keys()]
    .sort()
    .flatMap((name) => [`conflicts with ${name}:`, ...(byManager.get(name) ?? [])]);
  return new ApiError(
    409,
    'Conflict',
    `Apply failed with ${conflicts.length} conflicts: ${lines.join('\n')}`,
    { causes },
  );
}

/** Merges an applied configuration into the live object: keyed list items merge by key. */
function mergeInto(target: Json, source: Json): void {
  if (!isObject(target) || !isObject(source)) return;
  for (const [key, value] of Object.entries(source)) {
    const current = ownValue(target, key) as Json | undefined;
    if (isObject(value) && isObject(current ?? null)) mergeInto(current as Json, value);
    else if (Array.isArray(value) && Array.isArray(current))
      setOwn(target, key, mergeList(key, current, value));
    else setOwn(target, key, structuredClone(value));
  }
}

function mergeList(field: string, current: Json[], applied: Json[]): Json[] {
  const segments = itemSegments(field, applied);
  if (segments === undefined) return structuredClone(applied);
  const out = structuredClone(current);
  applied.forEach((item, i) => {
    const existing = valueAt(out, [segments[i] as string]);
    if (existing !== undefined) mergeInto(existing, item);
    else out.push(structuredClone(item));
  });
  return out;
}
