import { setOwn } from '../own-keys.ts';
import type { FieldType, ObjectType } from './field-type.ts';

/**
 * Reads a JSON body against a kind's schema as the API server's Go decoder does: a value of the
 * wrong JSON type is a decoding error that names the Go struct field and type; a field the
 * schema does not know is dropped and reported by its path (with list indices), for the caller
 * to refuse, warn about or ignore as `fieldValidation` asks. Nulls are dropped: Go leaves such
 * a field at its zero value, which is never written back.
 */
export class DecodeError extends Error {}

export type Decoded = { value: Record<string, unknown>; unknown: string[] };

/** What a Go error message calls a JSON value (`string`, `number`, `bool`, `array`, `object`). */
export function jsonKindOf(value: unknown): string {
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'boolean') return 'bool';
  return typeof value;
}

export function decode(type: ObjectType, body: Record<string, unknown>): Decoded {
  const unknown: string[] = [];
  const value = walk(body, type, { path: '', goPath: '', owner: type.go, unknown });
  return { value: value as Record<string, unknown>, unknown };
}

type At = { path: string; goPath: string; owner: string; unknown: string[] };

function walk(value: unknown, type: FieldType, at: At): unknown {
  if (value === null) return undefined;
  switch (type.kind) {
    case 'scalar':
      return scalar(value, type.json, type.go, at);
    case 'int-or-string':
      return intOrString(value, type.go);
    case 'bytes':
      if (typeof value !== 'string') throw mismatch(value, type.go, at);
      checkBase64(value);
      return value;
    case 'object':
      if (!isPlainObject(value)) throw mismatch(value, type.go, at);
      return type.fields === undefined ? value : struct(value, type, at);
    case 'list': {
      if (!Array.isArray(value)) throw mismatch(value, type.go, at);
      // A null item decodes as Go decodes it into a struct: the zero value, left to validation.
      return value.flatMap((item, i) => {
        if (item === null) return type.items.kind === 'object' ? [{}] : [];
        return [walk(item, type.items, { ...at, path: `${at.path}[${i}]` })];
      });
    }
    case 'map': {
      if (!isPlainObject(value)) throw mismatch(value, type.go, at);
      const out: Record<string, unknown> = {};
      for (const [key, item] of Object.entries(value)) {
        const decoded = walk(item, type.values, { ...at, path: `${at.path}.${key}` });
        if (decoded !== undefined) setOwn(out, key, decoded);
      }
      return out;
    }
  }
}

function struct(value: Record<string, unknown>, type: ObjectType, at: At): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const owner = type.go.replace(/^.*\./, '');
  for (const [key, item] of Object.entries(value)) {
    const path = at.path === '' ? key : `${at.path}.${key}`;
    const field =
      type.fields !== undefined && Object.hasOwn(type.fields, key) ? type.fields[key] : undefined;
    if (field === undefined) {
      at.unknown.push(path);
      continue;
    }
    const goPath = at.goPath === '' ? key : `${at.goPath}.${key}`;
    const decoded = walk(item, field, { path, goPath, owner, unknown: at.unknown });
    if (decoded !== undefined) out[key] = decoded;
  }
  return out;
}

function scalar(value: unknown, json: string, go: string, at: At): unknown {
  if (json === 'string' && typeof value === 'string') return value;
  if (json === 'boolean' && typeof value === 'boolean') return value;
  if (json === 'number' && typeof value === 'number') return value;
  if (json === 'integer' && typeof value === 'number') {
    const bits = go === 'int32' ? 31 : 63;
    if (Number.isInteger(value) && value >= -(2 ** bits) && value < 2 ** bits) return value;
    throw new DecodeError(
      `json: cannot unmarshal number ${value} into Go struct field ${at.owner}.${at.goPath} of type ${go}`,
    );
  }
  throw mismatch(value, go, at);
}

const QUANTITY = /^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$/;
const SUFFIXES = /^(|[numkMGTPE]|[KMGTPE]i|[eE][-+]?[0-9]+)$/;

function intOrString(value: unknown, go: string): unknown {
  if (go === 'resource.Quantity') {
    const text = typeof value === 'number' ? String(value) : value;
    const match = typeof text === 'string' ? QUANTITY.exec(text.trim()) : null;
    if (match === null || !SUFFIXES.test(match[2] ?? '') || !/\d/.test(match[1] ?? '')) {
      throw new DecodeError(
        "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'",
      );
    }
    return value;
  }
  if (typeof value === 'string') return value;
  if (typeof value === 'number' && Number.isInteger(value)) return value;
  const shown = typeof value === 'number' ? `number ${value}` : jsonKindOf(value);
  throw new DecodeError(`json: cannot unmarshal ${shown} into Go value of type int32`);
}

function mismatch(value: unknown, go: string, at: At): DecodeError {
  return new DecodeError(
    `json: cannot unmarshal ${jsonKindOf(value)} into Go struct field ${at.owner}.${at.goPath} of type ${go}`,
  );
}

const BASE64 = /^[A-Za-z0-9+/]$/;

/** Go's standard base64 decoder, for the byte offset it names when the input is corrupt. */
function checkBase64(text: string): void {
  const fail = (at: number) => new DecodeError(`illegal base64 data at input byte ${at}`);
  let i = 0;
  let quantum = 0;
  while (i < text.length) {
    const char = text[i] as string;
    i++;
    if (char === '\n' || char === '\r') continue;
    if (BASE64.test(char)) {
      quantum = (quantum + 1) % 4;
      continue;
    }
    if (char !== '=' || quantum < 2) throw fail(i - 1);
    if (quantum === 2) {
      while (text[i] === '\n' || text[i] === '\r') i++;
      if (i === text.length) throw fail(text.length);
      if (text[i] !== '=') throw fail(i - 1);
      i++;
    }
    while (text[i] === '\n' || text[i] === '\r') i++;
    if (i < text.length) throw fail(i);
    return;
  }
  if (quantum !== 0) throw fail(text.length - quantum);
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
