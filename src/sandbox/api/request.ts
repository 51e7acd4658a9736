import type { IncomingMessage, ServerResponse } from 'node:http';
import { parse as parseYaml } from 'yaml';
import { apiVersionOf, findResource, type ResourceType } from './catalog.ts';
import { decodeObject, WireFormatError } from './protobuf/decode-object.ts';
import { ApiError, type KObject, type ObjectStore, type WriteOptions } from './store.ts';

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

export function dryRunOf(url: URL): boolean {
  const values = url.searchParams.getAll('dryRun');
  if (values.some((v) => v !== 'All'))
    throw new ApiError(400, 'BadRequest', 'dryRun: Unsupported value: only "All" is supported');
  return values.length > 0;
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
export async function readBody(req: IncomingMessage, optional = false): Promise<unknown> {
  const bytes = await readBytes(req);
  if (bytes.toString('utf8').trim() === '') {
    if (optional) return {};
    throw new ApiError(400, 'BadRequest', 'the request needs a body');
  }
  const mediaType = (req.headers['content-type'] ?? '').split(';')[0]?.trim();
  if (mediaType === PROTOBUF) return decodeProtobuf(bytes);
  const text = bytes.toString('utf8');
  const yaml = mediaType === 'application/apply-patch+yaml' || mediaType === 'application/yaml';
  try {
    return yaml ? parseYaml(text) : JSON.parse(text);
  } catch {
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

function decodeProtobuf(bytes: Buffer): unknown {
  try {
    return decodeObject(bytes);
  } catch (error) {
    if (!(error instanceof WireFormatError)) throw error;
    throw new ApiError(
      415,
      'UnsupportedMediaType',
      `the body of the request was in an unknown format - accepted media types include: application/json, application/yaml, ${PROTOBUF} (${error.message})`,
    );
  }
}

/** A body to create or replace: an object, in the URL's namespace, with the URL's kind filled in. */
export function objectFromBody(body: unknown, target: Target): KObject {
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    throw new ApiError(400, 'BadRequest', 'the request body must be a JSON object');
  const object = body as KObject;
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
