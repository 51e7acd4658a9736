import { canonical } from './hash.ts';
import { ownValue, setOwn } from './own-keys.ts';
import type { FieldType } from './schema/field-type.ts';
import { ApiError } from './store.ts';

/**
 * The three patch formats of the Kubernetes API: JSON merge patch (RFC 7386), JSON patch
 * (RFC 6902) and strategic merge patch, whose lists of named things (containers, env, ports,
 * volumes) merge by key instead of being replaced.
 */
export type PatchType = 'merge' | 'json' | 'strategic';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

export function patchTypeOf(contentType: string | undefined): PatchType | undefined {
  const base = (contentType ?? '').split(';')[0]?.trim();
  if (base === 'application/merge-patch+json') return 'merge';
  if (base === 'application/json-patch+json') return 'json';
  if (base === 'application/strategic-merge-patch+json') return 'strategic';
  return undefined;
}

/** Server-side apply's patch type (server-side-apply.ts), which is not a patch format here. */
export function isApplyPatch(contentType: string | undefined): boolean {
  return (contentType ?? '').split(';')[0]?.trim() === 'application/apply-patch+yaml';
}

export function applyPatch(
  target: unknown,
  patch: unknown,
  type: PatchType,
  schema?: FieldType,
): unknown {
  if (type === 'json') return jsonPatch(target as Json, patch);
  if (!isObject(patch as Json)) {
    throw new ApiError(400, 'BadRequest', 'the patch must be a JSON object');
  }
  return type === 'merge'
    ? mergePatch(target as Json, patch as Json)
    : strategic(target as Json, patch as Json, schema);
}

function mergePatch(target: Json, patch: Json): Json {
  if (!isObject(patch)) return patch;
  const out: JsonObject = isObject(target) ? { ...target } : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete out[key];
    else setOwn(out, key, mergePatch((ownValue(out, key) as Json | undefined) ?? null, value));
  }
  return out;
}

/**
 * Merge keys for lists the schema does not describe (kinds without a schema, open objects),
 * by the list's field name; a described list follows its own patch strategy.
 */
const MERGE_KEYS: Record<string, string> = {
  containers: 'name',
  initContainers: 'name',
  ephemeralContainers: 'name',
  env: 'name',
  volumes: 'name',
  volumeMounts: 'mountPath',
  ports: 'containerPort',
  imagePullSecrets: 'name',
  conditions: 'type',
  ownerReferences: 'uid',
};

type ListStrategy = { mode: 'replace' } | { mode: 'set' } | { mode: 'merge'; key: string };

function listStrategy(key: string, schema: FieldType | undefined): ListStrategy {
  if (schema?.kind === 'list') {
    if (schema.merge === undefined) return { mode: 'replace' };
    return schema.merge.key === undefined
      ? { mode: 'set' }
      : { mode: 'merge', key: schema.merge.key };
  }
  const mergeKey = MERGE_KEYS[key];
  return mergeKey === undefined ? { mode: 'replace' } : { mode: 'merge', key: mergeKey };
}

function childSchema(schema: FieldType | undefined, key: string): FieldType | undefined {
  if (schema?.kind === 'object') return schema.fields?.[key];
  if (schema?.kind === 'map') return schema.values;
  return undefined;
}

function strategic(target: Json, patch: Json, schema: FieldType | undefined): Json {
  if (!isObject(patch)) return patch;
  if (patch.$patch === 'replace') return withoutDirectives(patch);
  if (patch.$patch === 'delete') return null;
  const out: JsonObject = isObject(target) ? { ...target } : {};
  for (const [key, value] of Object.entries(patch)) {
    if (key.startsWith('$')) continue;
    if (value === null || (isObject(value) && value.$patch === 'delete')) {
      delete out[key];
      continue;
    }
    const field = childSchema(schema, key);
    const current = ownValue(out, key) as Json | undefined;
    if (Array.isArray(value)) {
      setOwn(
        out,
        key,
        patchList(Array.isArray(current) ? current : [], value, listStrategy(key, field), field),
      );
    } else if (isObject(value)) {
      setOwn(out, key, strategic(current ?? null, value, field));
    } else {
      setOwn(out, key, value);
    }
  }
  for (const [key, value] of Object.entries(patch)) {
    if (key.startsWith('$deleteFromPrimitiveList/') && Array.isArray(value)) {
      const list = key.slice('$deleteFromPrimitiveList/'.length);
      const current = ownValue(out, list);
      if (Array.isArray(current))
        setOwn(
          out,
          list,
          current.filter((item) => !value.includes(item)),
        );
    }
    if (key.startsWith('$setElementOrder/') && Array.isArray(value)) {
      const list = key.slice('$setElementOrder/'.length);
      const current = ownValue(out, list);
      if (Array.isArray(current))
        setOwn(out, list, ordered(current, value, listStrategy(list, childSchema(schema, list))));
    }
  }
  // `$retainKeys`: the fields of this object not listed are cleared (a union's other members).
  if (Array.isArray(patch.$retainKeys)) {
    const keep = new Set(patch.$retainKeys.filter((k): k is string => typeof k === 'string'));
    for (const key of Object.keys(out)) if (!keep.has(key)) delete out[key];
  }
  return out;
}

function patchList(
  current: Json[],
  patch: Json[],
  strategy: ListStrategy,
  schema: FieldType | undefined,
): Json[] {
  if (strategy.mode === 'replace') return patch.map((item) => withoutDirectives(item));
  if (strategy.mode === 'set') {
    return [
      ...current,
      ...patch.filter((item) => !current.some((c) => canonical(c) === canonical(item))),
    ];
  }
  const items = schema?.kind === 'list' ? schema.items : undefined;
  return mergeList(current, patch, strategy.key, items);
}

function mergeList(
  current: Json[],
  patch: Json[],
  key: string,
  items: FieldType | undefined,
): Json[] {
  // `{$patch: replace}` among the items: the list becomes exactly the other items.
  if (patch.some((item) => isObject(item) && item.$patch === 'replace' && !(key in item))) {
    return patch.filter((item) => !(isObject(item) && item.$patch === 'replace' && !(key in item)));
  }
  // Items without the merge key: plain replacement, as for an undescribed list.
  if (patch.some((item) => !isObject(item) || !(key in item))) return patch;
  const out = [...current];
  for (const item of patch) {
    if (!isObject(item)) return patch;
    const id = item[key];
    const at = out.findIndex((existing) => isObject(existing) && existing[key] === id);
    if (item.$patch === 'delete') {
      if (at >= 0) out.splice(at, 1);
    } else if (at >= 0) {
      out[at] = strategic(out[at] ?? null, item, items);
    } else {
      out.push(strategic(null, item, items));
    }
  }
  return out;
}

/** `$setElementOrder`: the merged list in the order the patch gives, the rest after. */
function ordered(list: Json[], order: Json[], strategy: ListStrategy): Json[] {
  const idOf = (item: Json): string =>
    canonical(strategy.mode === 'merge' && isObject(item) ? (item[strategy.key] ?? null) : item);
  const rank = new Map(order.map((item, i) => [idOf(item), i]));
  return [...list].sort(
    (a, b) => (rank.get(idOf(a)) ?? order.length) - (rank.get(idOf(b)) ?? order.length),
  );
}

function withoutDirectives(value: Json): Json {
  if (!isObject(value)) return value;
  const out: JsonObject = {};
  for (const [key, item] of Object.entries(value)) if (!key.startsWith('$')) setOwn(out, key, item);
  return out;
}

type Operation = { op: string; path: string; value?: Json; from?: string };

function jsonPatch(target: Json, patch: unknown): Json {
  if (!Array.isArray(patch)) {
    throw new ApiError(400, 'BadRequest', 'a JSON patch must be an array of operations');
  }
  let doc = structuredClone(target);
  for (const raw of patch as Operation[]) {
    if (
      typeof raw !== 'object' ||
      raw === null ||
      typeof raw.op !== 'string' ||
      typeof raw.path !== 'string'
    ) {
      throw new ApiError(400, 'BadRequest', 'each JSON patch operation needs "op" and "path"');
    }
    const { op, path } = raw;
    if (op === 'test') {
      // Objects are equal by their members, whatever their order (RFC 6902, 4.6).
      if (canonical(read(doc, path)) !== canonical(raw.value ?? null)) {
        throw notApplied();
      }
    } else if (path === '' || ((op === 'move' || op === 'copy') && (raw.from ?? '') === '')) {
      // The whole document is never a target: the patch library finds no container for it.
      if (['add', 'replace', 'remove', 'move', 'copy'].includes(op)) throw notApplied();
      throw new ApiError(400, 'BadRequest', `unknown JSON patch operation "${op}"`);
    } else if (op === 'add' || op === 'replace') {
      if (op === 'replace') read(doc, path);
      doc = write(doc, path, raw.value ?? null, op === 'add');
    } else if (op === 'remove') {
      read(doc, path);
      doc = remove(doc, path);
    } else if (op === 'move' || op === 'copy') {
      const value = read(doc, raw.from ?? '');
      if (op === 'move') doc = remove(doc, raw.from ?? '');
      doc = write(doc, path, value, true);
    } else {
      throw new ApiError(400, 'BadRequest', `unknown JSON patch operation "${op}"`);
    }
  }
  return doc;
}

function pointer(path: string): string[] {
  if (path === '') return [];
  if (!path.startsWith('/'))
    throw new ApiError(400, 'BadRequest', `invalid JSON pointer "${path}"`);
  return path
    .slice(1)
    .split('/')
    .map((part) => part.replaceAll('~1', '/').replaceAll('~0', '~'));
}

function read(doc: Json, path: string): Json {
  let at: Json = doc;
  for (const part of pointer(path)) {
    const next: Json | undefined = Array.isArray(at)
      ? at[Number(part)]
      : isObject(at)
        ? (ownValue(at, part) as Json | undefined)
        : undefined;
    if (next === undefined) {
      throw notApplied();
    }
    at = next;
  }
  return at;
}

function write(doc: Json, path: string, value: Json, insert: boolean): Json {
  const parts = pointer(path);
  const last = parts.pop();
  if (last === undefined) return value;
  const parent = read(doc, parts.length === 0 ? '' : `/${parts.map(escapePointer).join('/')}`);
  if (Array.isArray(parent)) {
    const index = last === '-' ? parent.length : Number(last);
    if (!Number.isInteger(index) || index < 0 || index > parent.length) {
      throw notApplied();
    }
    if (insert) parent.splice(index, 0, value);
    else parent[index] = value;
  } else if (isObject(parent)) {
    setOwn(parent, last, value);
  } else {
    throw notApplied();
  }
  return doc;
}

function remove(doc: Json, path: string): Json {
  const parts = pointer(path);
  const last = parts.pop();
  if (last === undefined) return null;
  const parent = read(doc, parts.length === 0 ? '' : `/${parts.map(escapePointer).join('/')}`);
  if (Array.isArray(parent)) parent.splice(Number(last), 1);
  else if (isObject(parent) && Object.hasOwn(parent, last)) delete parent[last];
  return doc;
}

/**
 * A JSON patch that does not apply: the API server answers its patch library's error with a
 * generic 422 that names neither the operation nor the path.
 */
function notApplied(): ApiError {
  return new ApiError(
    422,
    'Invalid',
    'the server rejected our request due to an error in our request',
    {},
  );
}

function escapePointer(part: string): string {
  return part.replaceAll('~', '~0').replaceAll('/', '~1');
}

function isObject(value: Json | undefined): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
