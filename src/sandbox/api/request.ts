import type { IncomingMessage, ServerResponse } from 'node:http';
import { parse as parseYaml } from 'yaml';
import { apiVersionOf, findKind, findResource, type ResourceType } from './catalog.ts';
import { goJsonSyntaxError } from './go-json-syntax.ts';
import { decodeObject, UnknownMessageError, WireFormatError } from './protobuf/decode-object.ts';
import { ApiError, type KObject, type ObjectStore, type WriteOptions } from './store.ts';
import { wellFormed } from './well-formed.ts';

/** Reading a request to the sandbox's API: which resource it names, its flags, its body. */
const MAX_BODY = 3 * 2 ** 20;
const PROTOBUF = 'application/vnd.kubernetes.protobuf';

export type Target = {
  type: ResourceType;
  namespace: string | undefined;
  name: string | undefined;
  sub: string | undefined;
};

/** One request to a resource or a collection, with what every verb's handler reads from it. */
export type Call = {
  store: ObjectStore;
  req: IncomingMessage;
  res: ServerResponse;
  target: Target;
  query: URLSearchParams;
  dryRun: boolean;
  fieldManager: string | undefined;
};

/** The store's write options for a call; the field manager only when the request named one. */
export function writeOptionsOf(call: Call): WriteOptions {
  return {
    dryRun: call.dryRun,
    ...(call.fieldManager === undefined ? {} : { fieldManager: call.fieldManager }),
  };
}

export type DeleteOptions = {
  preconditions?: { uid?: string; resourceVersion?: string };
  gracePeriodSeconds?: number;
  dryRun?: string[];
  propagationPolicy?: string;
  orphanDependents?: boolean;
};

/** A delete's options: its body, with what the query string says taking precedence. */
export function deleteOptionsOf(body: unknown, query: URLSearchParams): DeleteOptions {
  const options = (typeof body === 'object' && body !== null ? body : {}) as DeleteOptions;
  const grace = query.get('gracePeriodSeconds');
  if (grace !== null) options.gracePeriodSeconds = Number(grace);
  const policy = query.get('propagationPolicy');
  if (policy !== null) options.propagationPolicy = policy;
  const orphan = query.get('orphanDependents');
  if (orphan !== null) options.orphanDependents = orphan === 'true';
  return options;
}

export function parseTarget(path: string): Target | undefined {
  const parts = path.split('/').filter(Boolean);
  let group: string;
  let ver: string;
  let rest: string[];
  if (parts[0] === 'api' && parts[1] === 'v1') {
    group = '';
    ver = 'v1';
    rest = parts.slice(2);
  } else if (parts[0] === 'apis' && parts.length >= 4) {
    group = parts[1] ?? '';
    ver = parts[2] ?? '';
    rest = parts.slice(3);
  } else {
    return undefined;
  }
  let namespace: string | undefined;
  if (
    rest[0] === 'namespaces' &&
    rest.length >= 3 &&
    !['status', 'finalize'].includes(rest[2] ?? '')
  ) {
    namespace = rest[1];
    rest = rest.slice(2);
  }
  const [plural = '', name, sub] = rest;
  const type = findResource(group, ver, plural);
  if (type === undefined || rest.length > 3) return undefined;
  if (sub !== undefined && !(type.subresources ?? []).includes(sub)) return undefined;
  return { type, namespace, name, sub };
}

export function listOf(type: ResourceType, items: readonly KObject[], resourceVersion: string) {
  return {
    kind: `${type.kind}List`,
    apiVersion: apiVersionOf(type),
    metadata: { resourceVersion } as { resourceVersion: string; continue?: string },
    items,
  };
}

export function isWatch(query: URLSearchParams): boolean {
  const value = query.get('watch');
  return value === 'true' || value === '1';
}

export function mentionsResourceVersion(patch: unknown): boolean {
  if (Array.isArray(patch))
    return patch.some(
      (op) => typeof op?.path === 'string' && op.path.startsWith('/metadata/resourceVersion'),
    );
  return (
    typeof (patch as { metadata?: { resourceVersion?: unknown } })?.metadata?.resourceVersion ===
    'string'
  );
}

/**
 * The body of a write, whatever the client encoded it as: JSON, YAML for server-side apply, or
 * the protobuf that kubectl's typed clients send (client-go has no fallback to JSON for it).
 */
export async function readBody(
  req: IncomingMessage,
  optional = false,
  into = 'Object',
): Promise<unknown> {
  const bytes = await readBytes(req);
  if (bytes.toString('utf8').trim() === '') {
    if (optional) return {};
    throw new ApiError(400, 'BadRequest', 'the request needs a body');
  }
  const mediaType = (req.headers['content-type'] ?? '').split(';')[0]?.trim();
  if (mediaType === PROTOBUF) return decodeProtobuf(bytes, into);
  const text = bytes.toString('utf8');
  const yaml = mediaType === 'application/apply-patch+yaml' || mediaType === 'application/yaml';
  // Go's scanner reads JSON first, so a malformed body gets its words for what is wrong where.
  const syntax = yaml ? undefined : goJsonSyntaxError(bytes);
  if (syntax !== undefined)
    throw new ApiError(400, 'BadRequest', `couldn't get version/kind; json parse error: ${syntax}`);
  try {
    return wellFormed(yaml ? parseYaml(text) : JSON.parse(text));
  } catch (error) {
    // Nesting within Go's limit that is still too deep for the sandbox's own recursion.
    if (error instanceof RangeError)
      throw new ApiError(400, 'BadRequest', 'the body nests deeper than the sandbox reads');
    throw new ApiError(
      400,
      'BadRequest',
      "couldn't get version/kind; json parse error: the body is not valid JSON",
    );
  }
}

async function readBytes(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY)
      throw new ApiError(413, 'RequestEntityTooLarge', 'the request body is too large');
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

/**
 * A protobuf body: one that does not decode is a bad request, worded as the API server words a
 * decoding failure (with the body's kind when its envelope told it, else a summary of the bytes).
 * A kind the sandbox has no field table for is a format it does not take.
 */
function decodeProtobuf(bytes: Buffer, into: string): unknown {
  try {
    return decodeObject(bytes);
  } catch (error) {
    if (!(error instanceof WireFormatError)) throw error;
    if (error instanceof UnknownMessageError)
      throw new ApiError(
        415,
        'UnsupportedMediaType',
        `the body of the request was in an unknown format - accepted media types include: application/json, application/yaml, ${PROTOBUF} (${error.message})`,
      );
    const meta = error.typeMeta;
    if (meta !== undefined && meta.kind !== '') {
      const version = meta.apiVersion.slice(meta.apiVersion.indexOf('/') + 1);
      throw new ApiError(
        400,
        'BadRequest',
        `${meta.kind} in version ${JSON.stringify(version)} cannot be handled as a ${into}: ${error.message}`,
      );
    }
    throw new ApiError(
      400,
      'BadRequest',
      `the object provided is unrecognized (must be of type ${into}): ${error.message} (${summarise(bytes)})`,
    );
  }
}

/** The API server's summary of a body it could not read: its first 30 bytes, in hex. */
function summarise(bytes: Buffer): string {
  if (bytes.length === 0) return '<empty>';
  const head = bytes.subarray(0, 30);
  const text = bytes[0] === 0x7b ? head.toString('latin1') : head.toString('hex');
  return bytes.length > 30 ? `${text} ...` : text;
}

/**
 * The object a replace or patch leaves must name the URL's object: without a name (a patch that
 * removed `/metadata`, say) it is refused, as is another name or namespace.
 */
export function checkName(object: KObject, name: string, namespace: string | undefined): void {
  const metadata = (object.metadata ?? {}) as { name?: unknown; namespace?: unknown };
  const own = typeof metadata.name === 'string' ? metadata.name : '';
  if (own === '')
    throw new ApiError(
      400,
      'BadRequest',
      `the name of the object (${name} based on URL) was undeterminable: name must be provided`,
    );
  if (own !== name)
    throw new ApiError(
      400,
      'BadRequest',
      `the name of the object (${own}) does not match the name on the URL (${name})`,
    );
  const ownNamespace = typeof metadata.namespace === 'string' ? metadata.namespace : '';
  if (namespace !== undefined && ownNamespace !== '' && ownNamespace !== namespace)
    throw new ApiError(
      400,
      'BadRequest',
      `the namespace of the object (${ownNamespace}) does not match the namespace on the request (${namespace})`,
    );
}

/** A body to create or replace: an object, in the URL's namespace, with the URL's kind filled in. */
export function objectFromBody(body: unknown, target: Target): KObject {
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    throw new ApiError(400, 'BadRequest', 'the request body must be a JSON object');
  const object = body as KObject;
  refuseOtherKind(object, target.type);
  object.metadata ??= { name: '' };
  if (target.type.namespaced) {
    const namespace = target.namespace ?? object.metadata.namespace;
    if (
      object.metadata.namespace !== undefined &&
      target.namespace !== undefined &&
      object.metadata.namespace !== target.namespace
    ) {
      throw new ApiError(
        400,
        'BadRequest',
        'the namespace of the provided object does not match the namespace sent on the request',
      );
    }
    if (namespace === undefined) throw new ApiError(400, 'BadRequest', 'a namespace is required');
    object.metadata.namespace = namespace;
  }
  const expected = apiVersionOf(target.type);
  if (object.apiVersion !== undefined && object.apiVersion !== expected) {
    throw new ApiError(
      400,
      'BadRequest',
      `the API version in the data (${object.apiVersion}) does not match the expected API version (${expected})`,
    );
  }
  // Clients may leave these out; the URL says what the object is, and defaulting needs the kind.
  object.apiVersion = expected;
  object.kind = target.type.kind;
  return object;
}

/**
 * A body of another kind than the URL's resource: the decoder makes the body's own type and
 * fails to convert it to the resource's internal type, or knows no such kind at all. Custom
 * resources are decoded apart and are let be here.
 */
function refuseOtherKind(object: KObject, type: ResourceType): void {
  const kind = typeof object.kind === 'string' ? object.kind : '';
  if (kind === '' || kind === type.kind) return;
  const internal = internalPackageOf(type.group);
  if (internal === undefined) return;
  const apiVersion =
    typeof object.apiVersion === 'string' && object.apiVersion !== ''
      ? object.apiVersion
      : apiVersionOf(type);
  const version = apiVersion.includes('/')
    ? apiVersion.slice(apiVersion.indexOf('/') + 1)
    : apiVersion;
  const prefix = `${kind} in version ${JSON.stringify(version)} cannot be handled as a ${type.kind}: `;
  const own = findKind(apiVersion, kind);
  const reason =
    own === undefined
      ? `no kind ${JSON.stringify(kind)} is registered for version ${JSON.stringify(apiVersion)} in scheme "k8s.io/kubernetes/pkg/api/legacyscheme/scheme.go:30"`
      : `converting (${version}.${kind}) to (${internal}.${type.kind}): unknown conversion`;
  throw new ApiError(400, 'BadRequest', prefix + reason);
}

/** The Go package of a built-in group's internal types: `core`, `apps`, `networking`… */
function internalPackageOf(group: string): string | undefined {
  if (group === '') return 'core';
  if (!group.includes('.')) return group;
  if (group.endsWith('.k8s.io')) return group.split('.')[0];
  return undefined;
}
