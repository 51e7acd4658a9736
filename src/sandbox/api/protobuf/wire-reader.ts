/**
 * The protobuf wire format, read field by field: a tag (field number and wire type) followed by
 * a varint, 8 or 4 fixed bytes, or a length and that many bytes. Knowing what a field means is
 * the caller's business.
 */
export type WireField =
  | { number: number; wire: 'varint'; value: bigint }
  | { number: number; wire: 'fixed64'; value: Buffer }
  | { number: number; wire: 'fixed32'; value: Buffer }
  | { number: number; wire: 'bytes'; value: Buffer };

export class WireFormatError extends Error {
  /** The envelope's type, once it was read: the object's own message is what failed. */
  typeMeta: { apiVersion: string; kind: string } | undefined;
}

/** A well-formed body of a message the sandbox has no field table for. */
export class UnknownMessageError extends WireFormatError {}

export function readVarint(buf: Buffer, at: number): { value: bigint; next: number } {
  let value = 0n;
  let shift = 0n;
  for (let i = at; i < buf.length && shift < 70n; i++) {
    const byte = buf[i] as number;
    value |= BigInt(byte & 0x7f) << shift;
    if ((byte & 0x80) === 0) return { value, next: i + 1 };
    shift += 7n;
  }
  throw new WireFormatError('truncated varint');
}

/** Every field of one message, in the order written. */
export function* readFields(buf: Buffer): Generator<WireField> {
  let at = 0;
  while (at < buf.length) {
    const tag = readVarint(buf, at);
    at = tag.next;
    const number = Number(tag.value >> 3n);
    const wireType = Number(tag.value & 7n);
    if (number === 0) throw new WireFormatError('field number 0');
    if (wireType === 0) {
      const v = readVarint(buf, at);
      at = v.next;
      yield { number, wire: 'varint', value: v.value };
    } else if (wireType === 1 || wireType === 5) {
      const size = wireType === 1 ? 8 : 4;
      if (at + size > buf.length) throw new WireFormatError('truncated fixed-size field');
      const value = buf.subarray(at, at + size);
      at += size;
      yield wireType === 1
        ? { number, wire: 'fixed64', value }
        : { number, wire: 'fixed32', value };
    } else if (wireType === 2) {
      const length = readVarint(buf, at);
      const end = length.next + Number(length.value);
      if (end > buf.length) throw new WireFormatError('truncated length-delimited field');
      yield { number, wire: 'bytes', value: buf.subarray(length.next, end) };
      at = end;
    } else {
      throw new WireFormatError(`unsupported wire type ${wireType}`);
    }
  }
}

/** A varint as the signed 64-bit integer it encodes (negative int32s are sign-extended). */
export function signed(value: bigint): number {
  return Number(BigInt.asIntN(64, value));
}

/** The varints of a packed repeated field. */
export function readPacked(buf: Buffer): bigint[] {
  const out: bigint[] = [];
  let at = 0;
  while (at < buf.length) {
    const v = readVarint(buf, at);
    out.push(v.value);
    at = v.next;
  }
  return out;
}
