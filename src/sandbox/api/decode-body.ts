import type { ServerResponse } from 'node:http';
import type { ResourceType } from './catalog.ts';
import { setOwn } from './own-keys.ts';
import { DecodeError, decode } from './schema/decode.ts';
import { schemaOf } from './schema/index.ts';
import { ApiError, type KObject } from './store.ts';

/**
 * The API server's decoding step for a typed kind's body: wrong JSON types are refused with the
 * Go decoder's message, unknown fields are refused, warned about or dropped as the request's
 * `fieldValidation` says, and what is stored holds only known fields. A Secret's `stringData`
 * is folded into `data` here, as its conversion does. Kinds without a schema pass unchanged.
 */
export type FieldValidation = 'Strict' | 'Warn' | 'Ignore';

/**
 * A request's `fieldValidation`; the server's own default, without one, is to warn. Any other
 * value fails the request's options (`CreateOptions`, `UpdateOptions`, `PatchOptions`).
 */
export function fieldValidationOf(
  query: URLSearchParams,
  options: 'CreateOptions' | 'UpdateOptions' | 'PatchOptions',
): FieldValidation {
  const value = query.get('fieldValidation');
  if (value === null || value === '') return 'Warn';
  if (value === 'Strict' || value === 'Warn' || value === 'Ignore') return value;
  const message = `Unsupported value: "${value}": supported values: "Ignore", "Strict", "Warn"`;
  throw new ApiError(
    422,
    'Invalid',
    `${options}.meta.k8s.io "" is invalid: fieldValidation: ${message}`,
    {
      group: 'meta.k8s.io',
      kind: options,
      causes: [{ reason: 'FieldValueNotSupported', message, field: 'fieldValidation' }],
    },
  );
}

/** Decodes a body to create or replace. Warnings to send are pushed onto `warnings`. */
export function decodeObject(
  type: ResourceType,
  object: KObject,
  validation: FieldValidation,
  warnings: string[],
): KObject {
  const schema = schemaOf(object.apiVersion, type.kind);
  if (schema === undefined) return object;
  const prefix = `${type.kind} in version "${type.version}" cannot be handled as a ${type.kind}: `;
  let decoded: ReturnType<typeof decode>;
  try {
    decoded = decode(schema, object);
  } catch (error) {
    if (error instanceof DecodeError) throw new ApiError(400, 'BadRequest', prefix + error.message);
    throw error;
  }
  unknownFields(decoded.unknown, validation, warnings, prefix);
  return foldStringData(decoded.value as KObject);
}

/**
 * Decodes the result of a patch. Unknown fields already in the stored object are not the
 * patch's doing and are let be; a wrong type is reported against the patch, as the real
 * server's converter does.
 */
export function decodePatched(
  type: ResourceType,
  patched: KObject,
  current: KObject,
  patch: unknown,
  validation: FieldValidation,
  warnings: string[],
): KObject {
  const schema = schemaOf(current.apiVersion, type.kind);
  if (schema === undefined) return patched;
  let decoded: ReturnType<typeof decode>;
  try {
    decoded = decode(schema, patched);
  } catch (error) {
    if (error instanceof DecodeError) throw invalidPatch(patch, error.message);
    throw error;
  }
  const before = new Set(safeUnknown(schema, current));
  const added = decoded.unknown.filter((path) => !before.has(path)).sort();
  unknownFields(added, validation, warnings, '');
  return foldStringData(decoded.value as KObject);
}

/** Sends the warnings as `Warning: 299` headers, which kubectl prints as `Warning: …`. */
export function sendWarnings(res: ServerResponse, warnings: string[]): void {
  if (warnings.length === 0) return;
  res.setHeader(
    'warning',
    warnings.map((text) => `299 - ${JSON.stringify(text)}`),
  );
}

function unknownFields(
  paths: string[],
  validation: FieldValidation,
  warnings: string[],
  prefix: string,
): void {
  if (paths.length === 0 || validation === 'Ignore') return;
  const found = paths.map((path) => `unknown field "${path}"`);
  if (validation === 'Warn') {
    warnings.push(...found);
    return;
  }
  throw new ApiError(400, 'BadRequest', `${prefix}strict decoding error: ${found.join(', ')}`);
}

function safeUnknown(schema: NonNullable<ReturnType<typeof schemaOf>>, object: KObject): string[] {
  try {
    return decode(schema, object).unknown;
  } catch {
    return [];
  }
}

/** Secrets take `stringData` as plain text over `data`; it is never stored. */
function foldStringData(object: KObject): KObject {
  if (object.kind !== 'Secret' || object.stringData === undefined) return object;
  const data = { ...((object.data as Record<string, string> | undefined) ?? {}) };
  for (const [key, value] of Object.entries(object.stringData as Record<string, string>)) {
    setOwn(data, key, Buffer.from(value, 'utf8').toString('base64'));
  }
  const { stringData: _, ...rest } = object;
  return { ...rest, data } as KObject;
}

/** The converter's refusal of a patched object, quoting the patch as Go prints a map. */
function invalidPatch(patch: unknown, reason: string): ApiError {
  const message = `Invalid value: ${JSON.stringify(goPrint(patch))}: ${converterReason(reason)}`;
  return new ApiError(422, 'Invalid', ` "" is invalid: patch: ${message}`, {
    causes: [{ reason: 'FieldValueInvalid', message, field: 'patch' }],
  });
}

/** The unstructured converter words a type mismatch differently from the JSON decoder. */
function converterReason(reason: string): string {
  const match = /^json: cannot unmarshal (\w+)(?: \S+)? into Go .* of type (\S+)$/.exec(reason);
  if (match === null) return reason;
  const [, kind = '', go = ''] = match;
  if (go.startsWith('[]')) return `cannot restore slice from ${kind}`;
  if (go.startsWith('map[')) return `cannot restore map from ${kind}`;
  if (go.includes('.')) return `cannot restore struct from: ${kind}`;
  return `unrecognized type: ${go}`;
}

/** Go's `%+v` of a decoded JSON value: `map[spec:map[replicas:two]]`. */
function goPrint(value: unknown): string {
  if (value === null || value === undefined) return '<nil>';
  if (Array.isArray(value)) return `[${value.map(goPrint).join(' ')}]`;
  if (typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) =>
      a < b ? -1 : a > b ? 1 : 0,
    );
    return `map[${entries.map(([k, v]) => `${k}:${goPrint(v)}`).join(' ')}]`;
  }
  return String(value);
}
