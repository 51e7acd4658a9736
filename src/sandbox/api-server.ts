import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { apiVersionOf, findResource, type ResourceType } from './catalog.ts';
import { applyDefaults } from './defaults.ts';
import { coreVersions, group, groupList, resourceList, version } from './discovery.ts';
import { openApiFor, openApiIndex } from './openapi.ts';
import { applyPatch, patchTypeOf } from './patch.ts';
import { fieldMatcher, labelMatcher } from './selectors.ts';
import type { Simulator } from './simulator/index.ts';
import { ApiError, type KObject, notFound, resourceName, type WatchEvent } from './store.ts';
import { table, wantsTable } from './tables.ts';
import { validate } from './validate.ts';

/**
 * The sandbox's Kubernetes API over plain HTTP: discovery, CRUD with patches and dry runs,
 * label and field selectors, watches, and the `log`, `scale` and `status` subresources, so that
 * the real client library and `kubectl` work against it unchanged.
 */
/** As an RBAC rule reads: `group` is the API group ('' for core, the default). */
export type DenyRule = { verb: string; resource: string; group?: string; namespace?: string };
export type ApiServerOptions = {
  simulator: Simulator;
  /** Serve metrics.k8s.io (as when metrics-server is installed). */
  metrics: boolean;
  /** Requests to refuse with 403, as RBAC would. */
  deny?: DenyRule[];
  /** Called for every request, for tests and benchmarks that count API calls. */
  onRequest?: (method: string, path: string) => void;
};

const USER = 'system:serviceaccount:coxswain:coxswain';
const MAX_BODY = 3 * 2 ** 20;
const NAMESPACES = findResource('', 'v1', 'namespaces') as ResourceType;
const PODS = findResource('', 'v1', 'pods') as ResourceType;

type Target = {
  type: ResourceType;
  namespace: string | undefined;
  name: string | undefined;
  sub: string | undefined;
};

export class SandboxApiServer {
  readonly #server: Server;
  readonly #options: ApiServerOptions;

  constructor(options: ApiServerOptions) {
    this.#options = options;
    this.#server = createServer((req, res) => {
      this.#handle(req, res).catch((error: unknown) => sendError(res, error));
    });
    this.#server.keepAliveTimeout = 30_000;
  }

  async listen(port: number, host = '127.0.0.1'): Promise<string> {
    await new Promise<void>((resolve, reject) => {
      this.#server.once('error', reject);
      this.#server.listen(port, host, () => resolve());
    });
    const address = this.#server.address() as AddressInfo;
    return `http://${host}:${address.port}`;
  }

  async close(): Promise<void> {
    this.#server.closeAllConnections();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  get #store() {
    return this.#options.simulator.store;
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://sandbox');
    const method = req.method ?? 'GET';
    this.#options.onRequest?.(method, url.pathname);
    const path = url.pathname.replace(/\/+$/, '') || '/';
    const fixed = this.#fixed(path, req);
    if (fixed !== undefined) return sendJson(res, 200, fixed);
    if (['/healthz', '/readyz', '/livez'].includes(path)) return sendText(res, 200, 'ok');
    const target = parseTarget(path);
    if (target === undefined)
      throw new ApiError(404, 'NotFound', 'the server could not find the requested resource');
    this.#authorise(method, target, url);
    this.#options.simulator.reconcile();
    const dryRun = dryRunOf(url);
    const query = url.searchParams;
    const fieldManager = query.get('fieldManager') ?? undefined;

    if (target.type.group === 'metrics.k8s.io') return this.#metrics(res, target, req, url);
    if (target.type.kind === 'SelfSubjectAccessReview') {
      if (method !== 'POST') throw methodNotAllowed();
      const body = (await readJson(req)) as { spec?: { resourceAttributes?: DenyRule } };
      const attrs = body.spec?.resourceAttributes;
      const allowed =
        attrs === undefined ||
        !this.#denied(attrs.verb, attrs.resource, attrs.namespace, attrs.group);
      return sendJson(res, 201, {
        ...body,
        status: { allowed, ...(allowed ? {} : { reason: 'denied by the sandbox' }) },
      });
    }
    if (target.namespace !== undefined && target.type.namespaced && method !== 'GET') {
      if (this.#store.get(NAMESPACES, undefined, target.namespace) === undefined)
        throw notFound(NAMESPACES, target.namespace);
    }

    if (target.sub === 'log') return this.#log(res, target, query);
    if (target.sub === 'scale') return this.#scale(req, res, target, dryRun, fieldManager);

    if (target.name === undefined) {
      if (method === 'GET' && isWatch(query)) return this.#watch(req, res, target, query);
      if (method === 'GET') return this.#list(res, target, query, req);
      if (method === 'POST') {
        const body = await readJson(req);
        const object = applyDefaults(this.#prepare(body, target));
        validate(target.type, object);
        const created = this.#store.create(target.type, object, {
          dryRun,
          ...(fieldManager === undefined ? {} : { fieldManager }),
          operation: 'Update',
        });
        return sendJson(res, 201, created);
      }
      if (method === 'DELETE') {
        const selected = this.#select(target, query);
        for (const object of selected) this.#delete(target.type, object, {}, dryRun);
        return sendJson(res, 200, listOf(target.type, selected, this.#store.resourceVersion));
      }
      throw methodNotAllowed();
    }

    const name = target.name;
    switch (method) {
      case 'GET': {
        const object = this.#store.mustGet(target.type, target.namespace, name);
        return wantsTable(req.headers.accept)
          ? sendJson(
              res,
              200,
              table(
                target.type,
                [object],
                this.#store.resourceVersion,
                this.#store.now().getTime(),
              ),
            )
          : sendJson(res, 200, object);
      }
      case 'PUT': {
        const body = this.#prepare(await readJson(req), target);
        if (body.metadata.name !== name)
          throw new ApiError(
            400,
            'BadRequest',
            'the name of the object does not match the name on the URL',
          );
        const current = this.#store.mustGet(target.type, target.namespace, name);
        const next =
          target.sub === 'status'
            ? {
                ...current,
                status: body.status,
                metadata: {
                  ...current.metadata,
                  ...(body.metadata.resourceVersion
                    ? { resourceVersion: body.metadata.resourceVersion }
                    : {}),
                },
              }
            : { ...body, status: current.status };
        validate(target.type, applyDefaults(next), current);
        return sendJson(
          res,
          200,
          this.#store.replace(target.type, next, {
            dryRun,
            ...(fieldManager === undefined ? {} : { fieldManager }),
          }),
        );
      }
      case 'PATCH': {
        const type = patchTypeOf(req.headers['content-type']);
        if (type === undefined) {
          throw new ApiError(
            415,
            'UnsupportedMediaType',
            `the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/strategic-merge-patch+json`,
          );
        }
        const patch = await readJson(req);
        const current = this.#store.mustGet(target.type, target.namespace, name);
        const patched = applyPatch(current, patch, type) as KObject;
        if (typeof patched !== 'object' || patched === null || Array.isArray(patched))
          throw new ApiError(422, 'Invalid', 'the patch produced an object that is not valid');
        patched.metadata = { ...patched.metadata, name: current.metadata.name };
        if (current.metadata.namespace !== undefined)
          patched.metadata.namespace = current.metadata.namespace;
        // A resourceVersion only counts as a precondition when the patch itself set it.
        if (!mentionsResourceVersion(patch)) {
          if (current.metadata.resourceVersion === undefined)
            delete patched.metadata.resourceVersion;
          else patched.metadata.resourceVersion = current.metadata.resourceVersion;
        }
        if (target.sub !== 'status') patched.status = current.status;
        validate(target.type, applyDefaults(patched), current);
        return sendJson(
          res,
          200,
          this.#store.replace(target.type, patched, {
            dryRun,
            ...(fieldManager === undefined ? {} : { fieldManager }),
            operation: 'Update',
          }),
        );
      }
      case 'DELETE': {
        const options = (await readJson(req, true)) as DeleteOptions;
        const current = this.#store.mustGet(target.type, target.namespace, name);
        const gracePeriod = query.get('gracePeriodSeconds');
        if (gracePeriod !== null) options.gracePeriodSeconds = Number(gracePeriod);
        return sendJson(
          res,
          200,
          this.#delete(
            target.type,
            current,
            options,
            dryRun || (options.dryRun ?? []).includes('All'),
          ),
        );
      }
      default:
        throw methodNotAllowed();
    }
  }

  #fixed(path: string, req: IncomingMessage): unknown {
    if (path === '/version') return version();
    if (path === '/api') return coreVersions(req.headers.host ?? '127.0.0.1');
    if (path === '/apis') return groupList();
    if (path === '/openapi/v3') return openApiIndex();
    if (path.startsWith('/openapi/v3/')) return openApiFor(path.slice('/openapi/v3/'.length));
    if (path === '/api/v1') return resourceList('', 'v1');
    const parts = path.split('/');
    if (parts[1] === 'apis' && parts.length === 3) return group(parts[2] ?? '');
    if (parts[1] === 'apis' && parts.length === 4)
      return resourceList(parts[2] ?? '', parts[3] ?? '');
    return undefined;
  }

  #authorise(method: string, target: Target, url: URL): void {
    const verb =
      method === 'GET'
        ? target.name === undefined
          ? isWatch(url.searchParams)
            ? 'watch'
            : 'list'
          : 'get'
        : ((
            { POST: 'create', PUT: 'update', PATCH: 'patch', DELETE: 'delete' } as Record<
              string,
              string
            >
          )[method] ?? method.toLowerCase());
    const resource =
      target.sub === undefined ? target.type.plural : `${target.type.plural}/${target.sub}`;
    if (!this.#denied(verb, resource, target.namespace, target.type.group)) return;
    const where =
      target.namespace === undefined
        ? 'at the cluster scope'
        : `in the namespace "${target.namespace}"`;
    throw new ApiError(
      403,
      'Forbidden',
      `${resourceName(target.type)}${target.name ? ` "${target.name}"` : ''} is forbidden: User "${USER}" cannot ${verb} resource "${resource}" in API group "${target.type.group}" ${where}`,
    );
  }

  #denied(verb: string, resource: string, namespace: string | undefined, group = ''): boolean {
    return (this.#options.deny ?? []).some(
      (rule) =>
        (rule.group ?? '') === group &&
        (rule.verb === '*' || rule.verb === verb) &&
        (rule.resource === resource || rule.resource === resource.split('/')[0]) &&
        (rule.namespace === undefined || rule.namespace === namespace),
    );
  }

  #prepare(body: unknown, target: Target): KObject {
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

  #select(target: Target, query: URLSearchParams): KObject[] {
    const labels = labelMatcher(query.get('labelSelector') ?? undefined);
    const fields = fieldMatcher(query.get('fieldSelector') ?? undefined);
    return this.#store.list(target.type, target.namespace).filter((o) => labels(o) && fields(o));
  }

  #list(res: ServerResponse, target: Target, query: URLSearchParams, req: IncomingMessage): void {
    let items = this.#select(target, query);
    const rv = this.#store.resourceVersion;
    const limit = Number(query.get('limit') ?? 0);
    const offset = Number(Buffer.from(query.get('continue') ?? '', 'base64url').toString() || 0);
    let next: string | undefined;
    if (limit > 0) {
      next =
        offset + limit < items.length
          ? Buffer.from(String(offset + limit)).toString('base64url')
          : undefined;
      items = items.slice(offset, offset + limit);
    }
    if (wantsTable(req.headers.accept)) {
      const out = table(target.type, items, rv, this.#store.now().getTime());
      if (next !== undefined) (out.metadata as Record<string, string>).continue = next;
      sendJson(res, 200, out);
      return;
    }
    const list = listOf(target.type, items, rv);
    if (next !== undefined) list.metadata.continue = next;
    sendJson(res, 200, list);
  }

  #watch(req: IncomingMessage, res: ServerResponse, target: Target, query: URLSearchParams): void {
    const labels = labelMatcher(query.get('labelSelector') ?? undefined);
    const fields = fieldMatcher(query.get('fieldSelector') ?? undefined);
    const wanted = (object: KObject) =>
      (target.namespace === undefined || object.metadata.namespace === target.namespace) &&
      labels(object) &&
      fields(object);
    const since = query.get('resourceVersion');
    let backlog: WatchEvent[];
    if (since === null || since === '' || since === '0') {
      backlog = this.#store
        .list(target.type, target.namespace)
        .map((object) => ({ type: 'ADDED', object }));
    } else {
      const changes = this.#store.changesSince(target.type, Number(since));
      if (changes === undefined) {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(
          `${JSON.stringify({ type: 'ERROR', object: statusOf(new ApiError(410, 'Expired', `too old resource version: ${since} (${this.#store.resourceVersion})`)) })}\n`,
        );
        return;
      }
      backlog = changes;
    }
    res.writeHead(200, { 'content-type': 'application/json', 'transfer-encoding': 'chunked' });
    // Answer at once, as the API server does, even when there is nothing to send yet.
    res.flushHeaders();
    const send = (event: WatchEvent) => {
      if (wanted(event.object)) res.write(`${JSON.stringify(event)}\n`);
    };
    for (const event of backlog) send(event);
    const stop = this.#store.onChange((g, plural, event) => {
      if (g === target.type.group && plural === target.type.plural) send(event);
    });
    const timeout = Number(query.get('timeoutSeconds') ?? 1800);
    const timer = setTimeout(() => res.end(), Math.min(timeout, 1800) * 1000);
    const finish = () => {
      clearTimeout(timer);
      stop();
    };
    res.on('close', finish);
    req.on('close', finish);
  }

  #delete(type: ResourceType, object: KObject, options: DeleteOptions, dryRun: boolean): KObject {
    const pre = options.preconditions ?? {};
    if (pre.uid !== undefined && pre.uid !== object.metadata.uid) {
      throw new ApiError(
        409,
        'Conflict',
        `Precondition failed: UID in precondition: ${pre.uid}, UID in object meta: ${object.metadata.uid}`,
      );
    }
    if (
      pre.resourceVersion !== undefined &&
      pre.resourceVersion !== object.metadata.resourceVersion
    ) {
      throw new ApiError(
        409,
        'Conflict',
        `Precondition failed: ResourceVersion in precondition: ${pre.resourceVersion}, ResourceVersion in object meta: ${object.metadata.resourceVersion}`,
      );
    }
    if (type.kind === 'Pod' && options.gracePeriodSeconds !== 0) {
      if (object.metadata.deletionTimestamp !== undefined) return object;
      const grace = options.gracePeriodSeconds ?? 30;
      const at = new Date(this.#store.now().getTime() + grace * 1000)
        .toISOString()
        .replace(/\.\d+Z$/, 'Z');
      return this.#store.replace(
        type,
        {
          ...object,
          metadata: {
            ...object.metadata,
            deletionTimestamp: at,
            deletionGracePeriodSeconds: grace,
          },
        },
        { dryRun },
      );
    }
    if (type.kind === 'Namespace' && !dryRun) {
      for (const other of [
        'pods',
        'deployments',
        'replicasets',
        'services',
        'configmaps',
        'events',
        'secrets',
      ]) {
        const t = findResource(
          other === 'deployments' || other === 'replicasets' ? 'apps' : '',
          'v1',
          other,
        );
        if (t === undefined) continue;
        for (const item of this.#store.list(t, object.metadata.name))
          this.#store.remove(t, item.metadata.namespace, item.metadata.name);
      }
    }
    return this.#store.remove(type, object.metadata.namespace, object.metadata.name, dryRun);
  }

  #log(res: ServerResponse, target: Target, query: URLSearchParams): void {
    const pod = this.#store.mustGet(PODS, target.namespace, target.name ?? '');
    const container = query.get('container') ?? undefined;
    const previous = query.get('previous') === 'true';
    let lines = this.#options.simulator.logs(pod, container, previous);
    const since = query.get('sinceSeconds');
    const sinceTime = query.get('sinceTime');
    const now = this.#store.now().getTime();
    if (since !== null) lines = lines.filter((l) => l.at >= now - Number(since) * 1000);
    if (sinceTime !== null) lines = lines.filter((l) => l.at >= Date.parse(sinceTime));
    const tail = query.get('tailLines');
    if (tail !== null) lines = Number(tail) === 0 ? [] : lines.slice(-Number(tail));
    const stamps = query.get('timestamps') === 'true';
    let text = lines
      .map((l) => `${stamps ? `${new Date(l.at).toISOString()} ` : ''}${l.text}\n`)
      .join('');
    const limit = query.get('limitBytes');
    if (limit !== null) text = Buffer.from(text).subarray(0, Number(limit)).toString();
    sendText(res, 200, text);
  }

  async #scale(
    req: IncomingMessage,
    res: ServerResponse,
    target: Target,
    dryRun: boolean,
    fieldManager: string | undefined,
  ): Promise<void> {
    const current = this.#store.mustGet(target.type, target.namespace, target.name ?? '');
    const scaleOf = (object: KObject) => ({
      kind: 'Scale',
      apiVersion: 'autoscaling/v1',
      metadata: {
        name: object.metadata.name,
        namespace: object.metadata.namespace,
        uid: object.metadata.uid,
        resourceVersion: object.metadata.resourceVersion,
        creationTimestamp: object.metadata.creationTimestamp,
      },
      spec: { replicas: (object.spec as { replicas?: number }).replicas ?? 1 },
      status: {
        replicas: (object.status as { replicas?: number } | undefined)?.replicas ?? 0,
        selector: Object.entries(
          (object.spec as { selector?: { matchLabels?: Record<string, string> } }).selector
            ?.matchLabels ?? {},
        )
          .map(([k, v]) => `${k}=${v}`)
          .join(','),
      },
    });
    if (req.method === 'GET') return sendJson(res, 200, scaleOf(current));
    let scale: { metadata?: { resourceVersion?: string }; spec?: { replicas?: number } };
    const body = await readJson(req);
    if (req.method === 'PATCH') {
      const type = patchTypeOf(req.headers['content-type']);
      if (type === undefined)
        throw new ApiError(415, 'UnsupportedMediaType', 'unsupported patch type');
      scale = applyPatch(scaleOf(current), body, type) as typeof scale;
      if (!mentionsResourceVersion(body))
        scale.metadata = {
          ...scale.metadata,
          resourceVersion: current.metadata.resourceVersion ?? '',
        };
    } else if (req.method === 'PUT') {
      scale = body as typeof scale;
    } else {
      throw methodNotAllowed();
    }
    const replicas = scale.spec?.replicas;
    const next = {
      ...current,
      spec: { ...(current.spec as object), replicas },
      metadata: { ...current.metadata },
    };
    if (scale.metadata?.resourceVersion !== undefined)
      next.metadata.resourceVersion = scale.metadata.resourceVersion;
    validate(target.type, next, current);
    const written = this.#store.replace(target.type, next, {
      dryRun,
      ...(fieldManager === undefined ? {} : { fieldManager }),
    });
    sendJson(res, 200, scaleOf(written));
  }

  #metrics(res: ServerResponse, target: Target, req: IncomingMessage, url: URL): void {
    if (!this.#options.metrics) {
      throw new ApiError(404, 'NotFound', 'the server could not find the requested resource');
    }
    if (req.method !== 'GET') throw methodNotAllowed();
    const all =
      target.type.kind === 'NodeMetrics'
        ? this.#options.simulator.nodeMetrics()
        : this.#options.simulator.podMetrics(target.namespace);
    const labels = labelMatcher(url.searchParams.get('labelSelector') ?? undefined);
    const items = all.filter(
      (o) => labels(o) && (target.name === undefined || o.metadata.name === target.name),
    );
    if (target.name !== undefined) {
      const found = items[0];
      if (found === undefined)
        throw new ApiError(
          404,
          'NotFound',
          `${target.type.plural}.metrics.k8s.io "${target.name}" not found`,
        );
      sendJson(res, 200, found);
      return;
    }
    sendJson(res, 200, {
      kind: `${target.type.kind}List`,
      apiVersion: 'metrics.k8s.io/v1beta1',
      metadata: {},
      items,
    });
  }
}

type DeleteOptions = {
  preconditions?: { uid?: string; resourceVersion?: string };
  gracePeriodSeconds?: number;
  dryRun?: string[];
};

function parseTarget(path: string): Target | undefined {
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

function listOf(type: ResourceType, items: KObject[], resourceVersion: string) {
  return {
    kind: `${type.kind}List`,
    apiVersion: apiVersionOf(type),
    metadata: { resourceVersion } as { resourceVersion: string; continue?: string },
    items,
  };
}

function isWatch(query: URLSearchParams): boolean {
  const value = query.get('watch');
  return value === 'true' || value === '1';
}

function dryRunOf(url: URL): boolean {
  const values = url.searchParams.getAll('dryRun');
  if (values.some((v) => v !== 'All'))
    throw new ApiError(400, 'BadRequest', 'dryRun: Unsupported value: only "All" is supported');
  return values.length > 0;
}

function mentionsResourceVersion(patch: unknown): boolean {
  if (Array.isArray(patch))
    return patch.some(
      (op) => typeof op?.path === 'string' && op.path.startsWith('/metadata/resourceVersion'),
    );
  return (
    typeof (patch as { metadata?: { resourceVersion?: unknown } })?.metadata?.resourceVersion ===
    'string'
  );
}

function methodNotAllowed(): ApiError {
  return new ApiError(
    405,
    'MethodNotAllowed',
    'the server does not allow this method on the requested resource',
  );
}

async function readJson(req: IncomingMessage, optional = false): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY)
      throw new ApiError(413, 'RequestEntityTooLarge', 'the request body is too large');
    chunks.push(chunk as Buffer);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  if (text.trim() === '') {
    if (optional) return {};
    throw new ApiError(400, 'BadRequest', 'the request needs a body');
  }
  try {
    return JSON.parse(text);
  } catch {
    throw new ApiError(
      400,
      'BadRequest',
      "couldn't get version/kind; json parse error: the body is not valid JSON",
    );
  }
}

function statusOf(error: ApiError) {
  return {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message: error.message,
    reason: error.reason,
    ...(error.details === undefined ? {} : { details: error.details }),
    code: error.status,
  };
}

function sendError(res: ServerResponse, error: unknown): void {
  const apiError =
    error instanceof ApiError
      ? error
      : new ApiError(
          500,
          'InternalError',
          `Internal error occurred: ${error instanceof Error ? error.message : String(error)}`,
        );
  if (res.headersSent) {
    res.end();
    return;
  }
  sendJson(res, apiError.status, statusOf(apiError));
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
  });
  res.end(text);
}

function sendText(res: ServerResponse, status: number, text: string): void {
  res.writeHead(status, {
    'content-type': 'text/plain',
    'content-length': Buffer.byteLength(text),
  });
  res.end(text);
}
