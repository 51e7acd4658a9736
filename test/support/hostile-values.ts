/**
 * Hostile values for the product's edges, and the cases they make when put, one at a time, in
 * every field of a valid payload. A value is JSON text, so that what JavaScript cannot hold as a
 * literal still reaches a parser as sent: 10,000 levels of nesting, `__proto__` as an own key,
 * lone surrogates, 1e999. JSON is YAML too, so the same text serves the YAML surfaces.
 */
export type HostileValue = { name: string; json: string };

export type HostileCase = {
  /** `alerts[0].labels.namespace ← lone surrogate`: where the value went, and which one. */
  name: string;
  /** The whole payload, as JSON text. */
  json: string;
};

const MIB = 1024 * 1024;

/** `[[[…]]]`, `depth` levels deep: parsers and validators that recurse run out of stack on it. */
export function deepArray(depth: number): string {
  return `${'['.repeat(depth)}${']'.repeat(depth)}`;
}

/** `{"a":{"a":…}}`, `depth` levels deep. */
export function deepObject(depth: number): string {
  return `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;
}

const quote = (text: string) => JSON.stringify(text);

/** Values of the wrong type for almost any field. */
/**
 * YAML of nested aliases ("billion laughs"): seven levels of nine references each, expanding to
 * 9^7 items under `key` if a reader follows them all.
 */
export function aliasBomb(key: string): string {
  return [
    'a: &a [x, x, x, x, x, x, x, x, x]',
    ...['b', 'c', 'd', 'e', 'f', 'g'].map(
      (name, i) => `${name}: &${name} [${Array(9).fill(`*${'abcdef'[i]}`).join(', ')}]`,
    ),
    `${key}: *g`,
  ].join('\n');
}

export const WRONG_TYPES: readonly HostileValue[] = [
  { name: 'null', json: 'null' },
  { name: 'true', json: 'true' },
  { name: 'zero', json: '0' },
  { name: 'empty string', json: '""' },
  { name: 'empty array', json: '[]' },
  { name: 'empty object', json: '{}' },
  { name: 'array of a string', json: '["x"]' },
];

/** Numbers past what a field expects: negative, past 64 bits, past doubles, not numbers at all. */
export const NUMBERS: readonly HostileValue[] = [
  { name: '-1', json: '-1' },
  { name: '-2^63', json: '-9223372036854775808' },
  { name: '2^64', json: '18446744073709551616' },
  { name: '1e308', json: '1e308' },
  { name: 'Infinity (1e999)', json: '1e999' },
  { name: '-0', json: '-0' },
  { name: 'fraction', json: '0.5' },
  { name: 'NaN as a string', json: '"NaN"' },
  { name: 'Infinity as a string', json: '"Infinity"' },
  { name: 'number as a string', json: '"12"' },
];

/** Text that confuses renderers, terminals and byte counts. */
export const UNICODE: readonly HostileValue[] = [
  { name: 'RTL override', json: quote('ad\u202Emin\u202C.prod') },
  { name: 'zero-width characters', json: quote('pay\u200Bments\u200D\uFEFF') },
  { name: 'lone surrogate', json: '"\\ud800x\\udfff"' },
  { name: 'NUL', json: quote('a\u0000b') },
  { name: 'emoji', json: quote('🚨🔥👩‍👩‍👧‍👦🏳️‍🌈') },
  { name: 'combining marks', json: quote(`Z${'\u0301\u0327\u0334'.repeat(300)}`) },
  { name: 'newlines and markup', json: quote('a\n\r\t<!channel> @everyone *b* `c` ```d') },
];

/** Sizes past anything real: a megabyte string, a hundred thousand items, 10,000 levels. */
export const HUGE: readonly HostileValue[] = [
  { name: '1 MiB string', json: quote('a'.repeat(MIB)) },
  { name: '100,000-item array', json: `[${Array(100_000).fill('"x"').join(',')}]` },
  { name: '10,000-deep arrays', json: deepArray(10_000) },
  { name: '10,000-deep objects', json: deepObject(10_000) },
];

/** Objects whose keys would change every object's prototype if copied carelessly. */
export const POLLUTING: readonly HostileValue[] = [
  { name: '__proto__ object', json: '{"__proto__":{"polluted":"yes"}}' },
  { name: 'constructor.prototype', json: '{"constructor":{"prototype":{"polluted":"yes"}}}' },
  { name: 'prototype object', json: '{"prototype":{"polluted":"yes"}}' },
];

/** Every hostile value but the huge ones: for surfaces that parse YAML, where size is tested once. */
export const SMALL_VALUES: readonly HostileValue[] = [
  ...WRONG_TYPES,
  ...NUMBERS,
  ...UNICODE,
  ...POLLUTING,
];

/**
 * One or two of each kind, for surfaces where every case is a request through the whole stack:
 * the kinds stay systematic, the count stays small.
 */
export const SAMPLE_VALUES: readonly HostileValue[] = [
  ...WRONG_TYPES.filter((v) => ['null', 'true', 'empty array', 'empty object'].includes(v.name)),
  ...NUMBERS.filter((v) => ['-1', '-2^63', 'Infinity (1e999)', 'NaN as a string'].includes(v.name)),
  ...UNICODE.filter((v) =>
    ['RTL override', 'lone surrogate', 'NUL', 'combining marks'].includes(v.name),
  ),
  ...POLLUTING.slice(0, 2),
];

/** Every hostile value, for a field of any type. */
export const HOSTILE_VALUES: readonly HostileValue[] = [
  ...WRONG_TYPES,
  ...NUMBERS,
  ...UNICODE,
  ...HUGE,
  ...POLLUTING,
];

/** Keys added beside an object's own: pollution, emptiness, size, invisible characters. */
export const HOSTILE_KEYS: readonly string[] = [
  '__proto__',
  'constructor',
  'prototype',
  '',
  'k'.repeat(100_000),
  '\u202E\u200B\u0000',
];

/** Whether anything has been written to `Object.prototype` (the sign of prototype pollution). */
export function prototypePolluted(): boolean {
  const probe: Record<string, unknown> = {};
  return (
    probe.polluted !== undefined ||
    Object.keys(Object.prototype).length > 0 ||
    Object.keys(Array.prototype).length > 0
  );
}

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

const HOLE = '\u0000hostile-hole\u0000';

/**
 * Every case for one payload: each hostile value in each field (leaves and objects alike, the
 * first item of an array standing for all), each hostile key beside each object's own, and the
 * field left out. A surface may pass fewer values where some are refused whole before any
 * field matters (the webhook's body limit makes a 1 MiB string one case, not one per field).
 */
export function hostileCases(
  valid: Json,
  options: {
    values?: readonly HostileValue[];
    keys?: readonly string[];
    /** Which fields to make hostile, by their valid value; default all. */
    fields?: (value: Json) => boolean;
  } = {},
): HostileCase[] {
  const values = options.values ?? HOSTILE_VALUES;
  const keys = options.keys ?? HOSTILE_KEYS;
  const cases: HostileCase[] = [];
  const paths = pathsOf(valid).filter((path) => options.fields?.(at(valid, path)) ?? true);
  for (const path of paths) {
    const where = path.length === 0 ? '(root)' : showPath(path);
    for (const value of values)
      cases.push({ name: `${where} ← ${value.name}`, json: replaceAt(valid, path, value.json) });
    const here = at(valid, path);
    if (isObject(here))
      for (const key of keys)
        cases.push({
          name: `${where} + key ${showKey(key)}`,
          json: replaceAt(valid, path, withKey(here, key)),
        });
    if (path.length > 0 && typeof path.at(-1) === 'string')
      cases.push({ name: `${where} left out`, json: replaceAt(valid, path, undefined) });
  }
  return cases;
}

/** Paths of every field, the first item standing for the rest of its array. */
function pathsOf(value: Json, path: (string | number)[] = []): (string | number)[][] {
  const paths = [path];
  if (Array.isArray(value)) {
    if (value.length > 0) paths.push(...pathsOf(value[0] as Json, [...path, 0]));
  } else if (isObject(value)) {
    for (const [key, child] of Object.entries(value)) paths.push(...pathsOf(child, [...path, key]));
  }
  return paths;
}

function at(value: Json, path: readonly (string | number)[]): Json {
  let here: Json = value;
  for (const part of path) here = (here as Record<string | number, Json>)[part] as Json;
  return here;
}

/** The payload's JSON with the field at `path` replaced by `json` (or left out when undefined). */
function replaceAt(valid: Json, path: readonly (string | number)[], json: string | undefined) {
  if (path.length === 0) return json ?? '';
  const copy = structuredClone(valid);
  const parent = at(copy, path.slice(0, -1)) as Record<string | number, Json>;
  const last = path.at(-1) as string | number;
  if (json === undefined) {
    delete parent[last];
    return JSON.stringify(copy);
  }
  parent[last] = HOLE;
  return JSON.stringify(copy).replace(JSON.stringify(HOLE), () => json);
}

/** The object's JSON with `key` first: as text, since `{ __proto__: … }` in code is no key. */
function withKey(object: { [key: string]: Json }, key: string): string {
  const rest = JSON.stringify(object).slice(1);
  return `{${JSON.stringify(key)}:{"polluted":"yes"}${rest === '}' ? '' : ','}${rest}`;
}

function isObject(value: Json): value is { [key: string]: Json } {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function showPath(path: readonly (string | number)[]): string {
  return path
    .map((part, i) => (typeof part === 'number' ? `[${part}]` : i === 0 ? part : `.${part}`))
    .join('');
}

function showKey(key: string): string {
  if (key.length > 40) return `of ${key.length.toLocaleString('en-US')} characters`;
  return JSON.stringify(key);
}
