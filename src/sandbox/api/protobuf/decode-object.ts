import { decodeMessage, type JsonObject, knowsMessage } from './decode-message.ts';
import { readFields, UnknownMessageError, WireFormatError } from './wire-reader.ts';

/**
 * A body in `application/vnd.kubernetes.protobuf`, as kubectl's typed clients send it: the
 * magic `k8s\0`, then a runtime.Unknown envelope (typeMeta 1 with apiVersion 1 and kind 2, raw 2)
 * whose raw bytes are the object's message. Comes out as the JSON object of the same request.
 */
const MAGIC = Buffer.from([0x6b, 0x38, 0x73, 0x00]);

/** The field table's package for each API version whose messages it holds. */
const PACKAGES: Record<string, string> = {
  v1: 'core',
  'apps/v1': 'apps',
  'batch/v1': 'batch',
  'autoscaling/v1': 'autoscalingv1',
  'autoscaling/v2': 'autoscalingv2',
  'authorization.k8s.io/v1': 'authorization',
  'policy/v1': 'policy',
  'coordination.k8s.io/v1': 'coordination',
  'authentication.k8s.io/v1': 'authentication',
  'rbac.authorization.k8s.io/v1': 'rbac',
  'networking.k8s.io/v1': 'networking',
  'scheduling.k8s.io/v1': 'scheduling',
};

export { UnknownMessageError, WireFormatError };

export function decodeObject(body: Buffer): JsonObject {
  if (body.length < MAGIC.length || !body.subarray(0, MAGIC.length).equals(MAGIC))
    throw new WireFormatError(
      `provided data does not appear to be a protobuf message, expected prefix [${[...MAGIC].join(' ')}]`,
    );
  let apiVersion = '';
  let kind = '';
  let raw: Buffer = Buffer.alloc(0);
  for (const field of readFields(body.subarray(MAGIC.length))) {
    if (field.wire !== 'bytes') continue;
    if (field.number === 2) raw = field.value;
    if (field.number !== 1) continue;
    for (const meta of readFields(field.value)) {
      if (meta.wire !== 'bytes') continue;
      if (meta.number === 1) apiVersion = meta.value.toString('utf8');
      if (meta.number === 2) kind = meta.value.toString('utf8');
    }
  }
  const message = messageFor(apiVersion, kind);
  if (message === undefined)
    throw new UnknownMessageError(`no protobuf decoding for ${apiVersion}, Kind=${kind}`);
  try {
    return { apiVersion, kind, ...decodeMessage(message, raw) };
  } catch (error) {
    if (error instanceof WireFormatError) error.typeMeta = { apiVersion, kind };
    throw error;
  }
}

/** DeleteOptions travels under every group's version; it is always the meta message. */
function messageFor(apiVersion: string, kind: string): string | undefined {
  if (kind === 'DeleteOptions') return 'meta.DeleteOptions';
  const pkg = PACKAGES[apiVersion];
  if (pkg === undefined) return undefined;
  const message = `${pkg}.${kind}`;
  return knowsMessage(message) ? message : undefined;
}
