import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Simulator } from '../simulator/simulator.ts';
import { apiVersionOf, findResource, type ResourceType } from './catalog.ts';
import { applyDefaults } from './defaults.ts';
import { coreVersions, group, groupList, resourceList, version } from './discovery.ts';
import { openApiFor, openApiIndex } from './openapi.ts';
import { applyPatch, patchTypeOf } from './patch.ts';
import {
  type DeleteOptions,
  dryRunOf,
  isWatch,
  listOf,
  mentionsResourceVersion,
  parseTarget,
  readJson,
  type Target,
} from './request.ts';
import { methodNotAllowed, sendError, sendJson, sendText } from './respond.ts';
import { fieldMatcher, labelMatcher } from './selectors.ts';
import { ApiError, type KObject, notFound, resourceName } from './store.ts';
import { serveLog, serveMetrics, serveScale } from './subresources.ts';
import { table, wantsTable } from './tables.ts';
import { validate } from './validate.ts';
import { serveWatch } from './watch.ts';

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
  /** Called for every request, before it is answered; `dryRun` when it asks for one. */
  onRequest?: (method: string, path: string, dryRun: boolean) => void;
};

const USER = 'system:serviceaccount:coxswain:coxswain';
const NAMESPACES = findResource('', 'v1', 'namespaces') as ResourceType;

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
    this.#options.onRequest?.(method, url.pathname, url.searchParams.get('dryRun') === 'All');
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

    if (target.type.group === 'metrics.k8s.io')
      return serveMetrics(this.#options.simulator, this.#options.metrics, res, target, req, url);
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

    if (target.sub === 'log') return serveLog(this.#options.simulator, res, target, query);
    if (target.sub === 'scale')
      return serveScale(this.#options.simulator, req, res, target, dryRun, fieldManager);

    if (target.name === undefined) {
      if (method === 'GET' && isWatch(query))
        return serveWatch(this.#store, req, res, target, query);
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
        if (type === 'strategic' && target.type.custom === true) {
          throw new ApiError(
            415,
            'UnsupportedMediaType',
            'the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml',
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
}
