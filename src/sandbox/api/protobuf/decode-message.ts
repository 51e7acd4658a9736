import { setOwn } from '../own-keys.ts';
import { MESSAGES } from './field-table.ts';
import { formatDuration } from './go-duration.ts';
import { readFields, readPacked, signed, type WireField, WireFormatError } from './wire-reader.ts';

/**
 * One Kubernetes protobuf message turned into the JSON object the same client would have sent,
 * by the field table: field names as in JSON, well-known types in their JSON form, and the zero
 * values the Go encoder writes for unset fields left out.
 */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

type Field = {
  name: string;
  type: string;
  repeated: boolean;
  map: boolean;
  pointer: boolean;
  inline: boolean;
};

const parsed = new Map<string, Map<number, Field>>();

export function knowsMessage(message: string): boolean {
  return MESSAGES[message] !== undefined;
}

function fieldsOf(message: string): Map<number, Field> {
  const known = parsed.get(message);
  if (known !== undefined) return known;
  const entry = MESSAGES[message];
  if (entry === undefined) throw new WireFormatError(`no field table for ${message}`);
  const fields = new Map<number, Field>();
  for (const spec of entry.split(' ')) {
    const match = /^([\^*]?)(\w*)=(\d+)(?::(.+))?$/.exec(spec);
    if (match === null) throw new WireFormatError(`bad field table entry ${spec}`);
    const [, flag = '', name = '', number = '0', raw = 'string'] = match;
    const map = raw.startsWith('map:');
    const repeated = raw.endsWith('[]');
    const type = raw.replace(/^map:/, '').replace(/\[\]$/, '');
    fields.set(Number(number), {
      name,
      type,
      repeated,
      map,
      pointer: flag === '*',
      inline: flag === '^',
    });
  }
  parsed.set(message, fields);
  return fields;
}

export function decodeMessage(message: string, buf: Buffer): JsonObject {
  const fields = fieldsOf(message);
  const out: JsonObject = {};
  for (const wire of readFields(buf)) {
    const field = fields.get(wire.number);
    if (field === undefined) continue; // a field newer than the table, or a status: not needed
    if (field.inline) {
      Object.assign(out, decodeMessage(field.type, bytesOf(wire)));
    } else if (field.map) {
      const [key, value] = mapEntry(field.type, bytesOf(wire));
      const map = (out[field.name] ?? {}) as JsonObject;
      setOwn(map, key, value);
      out[field.name] = map;
    } else if (field.repeated) {
      const list = (out[field.name] ?? []) as Json[];
      list.push(...repeatedValues(field.type, wire));
      out[field.name] = list;
    } else {
      const value = decodeValue(field.type, wire);
      if (value === undefined || (!field.pointer && isZeroScalar(value))) continue;
      out[field.name] = value;
    }
  }
  return out;
}

function isZeroScalar(value: Json): boolean {
  return value === '' || value === 0 || value === false;
}

function bytesOf(wire: WireField): Buffer {
  if (wire.wire !== 'bytes')
    throw new WireFormatError(`field ${wire.number} should be length-delimited`);
  return wire.value;
}

function varintOf(wire: WireField): bigint {
  if (wire.wire !== 'varint') throw new WireFormatError(`field ${wire.number} should be a varint`);
  return wire.value;
}

/** A map field is a repeated entry message: key 1, value 2; a missing part is its zero value. */
function mapEntry(type: string, buf: Buffer): [string, Json] {
  let key = '';
  let value: Json | undefined;
  for (const wire of readFields(buf)) {
    if (wire.number === 1) key = bytesOf(wire).toString('utf8');
    if (wire.number === 2) value = decodeValue(type, wire) ?? null;
  }
  return [key, value ?? zeroOf(type)];
}

function zeroOf(type: string): Json {
  if (type === 'string' || type === 'bytes' || type === 'Quantity') return '';
  if (type === 'bool') return false;
  if (type === 'int32' || type === 'int64' || type === 'double') return 0;
  return {};
}

/** Numbers may come one per field or packed together in one length-delimited field. */
function repeatedValues(type: string, wire: WireField): Json[] {
  if (wire.wire === 'bytes' && ['int32', 'int64', 'bool'].includes(type)) {
    const values = readPacked(wire.value);
    return values.map((v) => (type === 'bool' ? v !== 0n : signed(v)));
  }
  const value = decodeValue(type, wire);
  return value === undefined ? [] : [value];
}

function decodeValue(type: string, wire: WireField): Json | undefined {
  switch (type) {
    case 'string':
      return bytesOf(wire).toString('utf8');
    case 'bytes':
      return bytesOf(wire).toString('base64');
    case 'bool':
      return varintOf(wire) !== 0n;
    case 'int32':
    case 'int64':
      return signed(varintOf(wire));
    case 'double':
      if (wire.wire !== 'fixed64') throw new WireFormatError(`field ${wire.number} not a double`);
      return wire.value.readDoubleLE(0);
    case 'Time':
      return timeOf(bytesOf(wire));
    case 'Duration':
      return formatDuration(signed(numberField(bytesOf(wire), 1)));
    case 'Quantity':
      return stringField(bytesOf(wire), 1);
    case 'IntOrString':
      return intOrString(bytesOf(wire));
    case 'Raw':
      return rawJson(bytesOf(wire));
    default:
      return decodeMessage(type, bytesOf(wire));
  }
}

function numberField(buf: Buffer, number: number): bigint {
  let out = 0n;
  for (const wire of readFields(buf)) if (wire.number === number) out = varintOf(wire);
  return out;
}

function stringField(buf: Buffer, number: number): string {
  let out = '';
  for (const wire of readFields(buf))
    if (wire.number === number) out = bytesOf(wire).toString('utf8');
  return out;
}

/** metav1.Time: seconds and nanos since the epoch; the zero time is JSON's null, so left out. */
function timeOf(buf: Buffer): string | undefined {
  const seconds = signed(numberField(buf, 1));
  const nanos = signed(numberField(buf, 2));
  if (seconds === 0 && nanos === 0) return undefined;
  return new Date(seconds * 1000).toISOString().replace(/\.\d+Z$/, 'Z');
}

/** intstr.IntOrString: type 1 is a string (field 3), otherwise an int (field 2). */
function intOrString(buf: Buffer): Json {
  return numberField(buf, 1) === 1n ? stringField(buf, 3) : signed(numberField(buf, 2));
}

/** RawExtension and FieldsV1 carry JSON bytes in field 1. */
function rawJson(buf: Buffer): Json | undefined {
  let raw: Buffer | undefined;
  for (const wire of readFields(buf)) if (wire.number === 1) raw = bytesOf(wire);
  if (raw === undefined || raw.length === 0) return undefined;
  try {
    return JSON.parse(raw.toString('utf8')) as Json;
  } catch {
    throw new WireFormatError('embedded object is not JSON');
  }
}
