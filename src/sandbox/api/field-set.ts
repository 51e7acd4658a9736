/**
 * Sets of field paths, as server-side apply tracks who owns what: the paths an object sets, the
 * FieldsV1 tree they are stored as in `managedFields`, and reading or removing the value at one
 * path. A path is a list of segments: `f:name` for a field, `k:{"name":"app"}` for the item of a
 * keyed list. Without the real schema, which maps are granular and which lists are keyed is
 * told by the field's name, for the fields the sandbox's kinds have.
 */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

/** A set of paths, each kept as the JSON of its segments. */
export type FieldSet = Set<string>;

/** Maps whose entries are owned one by one; the map itself is a member too (`.` in FieldsV1). */
const GRANULAR_MAPS = new Set([
  'labels',
  'annotations',
  'data',
  'binaryData',
  'stringData',
  'matchLabels',
  'nodeSelector',
  'limits',
  'requests',
  'selector',
]);

const LIST_KEYS: Record<string, string[]> = {
  containers: ['name'],
  initContainers: ['name'],
  ephemeralContainers: ['name'],
  env: ['name'],
  volumes: ['name'],
  volumeMounts: ['mountPath'],
  imagePullSecrets: ['name'],
  ownerReferences: ['uid'],
  conditions: ['type'],
};

export function isObject(value: Json | undefined): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The key fields of a list's items, or undefined when the list is atomic. */
function keysOf(field: string, items: Json[]): string[] | undefined {
  const first = items[0];
  let keys = LIST_KEYS[field];
  if (field === 'ports' && isObject(first))
    keys = 'containerPort' in first ? ['containerPort', 'protocol'] : ['port', 'protocol'];
  if (keys === undefined || items.length === 0) return undefined;
  const primary = keys[0] as string;
  return items.every((item) => isObject(item) && item[primary] !== undefined) ? keys : undefined;
}

/** The path segment of each item of a keyed list, or undefined when the list is atomic. */
export function itemSegments(field: string, items: Json[]): string[] | undefined {
  const keys = keysOf(field, items);
  return keys === undefined
    ? undefined
    : items.map((item) => itemSegment(item as JsonObject, keys));
}

function itemSegment(item: JsonObject, keys: string[]): string {
  const key: JsonObject = {};
  for (const k of keys) if (item[k] !== undefined) key[k] = item[k] as Json;
  return `k:${JSON.stringify(key)}`;
}

/** Every path `value` sets under `prefix`. */
export function pathsOf(value: Json, prefix: string[] = [], set: FieldSet = new Set()): FieldSet {
  const field = prefix.at(-1)?.startsWith('f:') ? (prefix.at(-1) as string).slice(2) : '';
  if (isObject(value) && Object.keys(value).length > 0 && !isLabelSelector(field, value)) {
    if (GRANULAR_MAPS.has(field) || prefix.at(-1)?.startsWith('k:'))
      set.add(JSON.stringify(prefix));
    for (const [key, child] of Object.entries(value)) pathsOf(child, [...prefix, `f:${key}`], set);
    return set;
  }
  const keys = Array.isArray(value) ? keysOf(field, value) : undefined;
  if (Array.isArray(value) && keys !== undefined) {
    for (const item of value)
      pathsOf(item, [...prefix, itemSegment(item as JsonObject, keys)], set);
    return set;
  }
  if (prefix.length > 0) set.add(JSON.stringify(prefix));
  return set;
}

/** A workload's label selector is atomic: owned as one field. */
function isLabelSelector(field: string, value: JsonObject): boolean {
  return field === 'selector' && ('matchLabels' in value || 'matchExpressions' in value);
}

export function toFieldsV1(set: FieldSet): JsonObject {
  const root: JsonObject = {};
  const paths = [...set].map((p) => JSON.parse(p) as string[]);
  for (const path of paths) {
    let node = root;
    for (const segment of path) {
      node[segment] ??= {};
      node = node[segment] as JsonObject;
    }
  }
  for (const path of paths) {
    const node = path.reduce<JsonObject>((at, s) => at[s] as JsonObject, root);
    if (Object.keys(node).length > 0) node['.'] = {};
  }
  return sortTree(root);
}

function sortTree(node: JsonObject): JsonObject {
  const out: JsonObject = {};
  for (const key of Object.keys(node).sort()) out[key] = sortTree(node[key] as JsonObject);
  return out;
}

export function fromFieldsV1(tree: Json | undefined, prefix: string[] = []): FieldSet {
  const set: FieldSet = new Set();
  if (!isObject(tree)) return set;
  for (const [segment, child] of Object.entries(tree)) {
    if (segment === '.') set.add(JSON.stringify(prefix));
    else if (isObject(child) && Object.keys(child).length > 0)
      for (const p of fromFieldsV1(child, [...prefix, segment])) set.add(p);
    else set.add(JSON.stringify([...prefix, segment]));
  }
  return set;
}

/** The value at a path, or undefined when the object has nothing there. */
export function valueAt(object: Json, path: string[]): Json | undefined {
  let at: Json | undefined = object;
  for (const segment of path) {
    if (segment.startsWith('f:') && isObject(at)) at = at[segment.slice(2)];
    else if (segment.startsWith('k:') && Array.isArray(at)) at = at[itemIndex(at, segment)];
    else return undefined;
    if (at === undefined) return undefined;
  }
  return at;
}

function itemIndex(list: Json[], segment: string): number {
  const key = JSON.parse(segment.slice(2)) as JsonObject;
  return list.findIndex(
    (item) =>
      isObject(item) &&
      Object.entries(key).every(([k, v]) => JSON.stringify(item[k]) === JSON.stringify(v)),
  );
}

export function removeAt(object: Json, path: string[]): void {
  const parent = valueAt(object, path.slice(0, -1));
  const last = path.at(-1);
  if (last === undefined) return;
  if (last.startsWith('f:') && isObject(parent)) delete parent[last.slice(2)];
  if (last.startsWith('k:') && Array.isArray(parent)) {
    const index = itemIndex(parent, last);
    if (index >= 0) parent.splice(index, 1);
  }
}

/** A path as the API server prints it in conflicts: `.spec.containers[name="app"].image`. */
export function pathString(path: string[]): string {
  return path
    .map((segment) => {
      if (segment.startsWith('f:')) return `.${segment.slice(2)}`;
      const key = JSON.parse(segment.slice(2)) as JsonObject;
      return `[${Object.entries(key)
        .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
        .join(',')}]`;
    })
    .join('');
}
