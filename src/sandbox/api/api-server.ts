import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { tellOnStderr } from '../tell-failure.ts';
import {
  type Access,
  authorise,
  authorisePath,
  type DenyRule,
  serveAccessReview,
  serveRulesReview,
} from './access.ts';
import { findResource, type ResourceType } from './catalog.ts';
import type { Cluster } from './cluster.ts';
import { serveCollection } from './collection.ts';
import { coreVersions, group, groupList, resourceList, version } from './discovery.ts';
import { serveEviction } from './eviction.ts';
import { serveHpaV1 } from './hpa-v1.ts';
import { serveObject } from './object.ts';
import { openApiFor, openApiIndex } from './openapi.ts';
import {
  OPENAPI_V2_PROTOBUF,
  OPENAPI_V2_PROTOBUF_CONTENT,
  openApiV2Json,
  openApiV2Protobuf,
} from './openapi-v2.ts';
import { serveLog } from './pod-log.ts';
import { openPodStream, podStreamPath, type StandIn } from './pod-streams.ts';
import { checkWriteOptions } from './query-options.ts';
import type { Requester } from './rbac/authenticate.ts';
import { requestScope } from './rbac/escalation.ts';
import { authenticateRequest } from './rbac/requester.ts';
import { serveWhoAmI } from './rbac/self-subject-review.ts';
import { policyOf } from './rbac/store-policy.ts';
import { serveTokenRequest } from './rbac/token-request.ts';
import { TokenIssuer } from './rbac/tokens.ts';
import { RemoteCommandServer } from './remote-command.ts';
import { type Call, isWatch, parseTarget } from './request.ts';
import { sendError, sendJson, sendText } from './respond.ts';
import { ApiError, notFound } from './store.ts';
import { serveMetrics, serveScale } from './subresources.ts';

/**
 * The sandbox's Kubernetes API over plain HTTP: discovery, CRUD with patches and dry runs,
 * label and field selectors, watches, the `log`, `scale` and `status` subresources, and `attach`
 * and `exec` over WebSocket, so that
 * the real client library and `kubectl` work against it unchanged.
 */
type ApiServerOptions = {
  simulator: Cluster;
  /** Serve metrics.k8s.io (as when metrics-server is installed). */
  metrics: boolean;
  /** What `exec` runs a command with: the stand-in interpreter of containers' commands. */
  standIn: StandIn;
  /** Requests to refuse with 403, as RBAC would. */
  deny?: DenyRule[];
  /**
   * Called for every request, before it is answered; `dryRun` when it asks for one, `watch`
   * when it is a watch.
   */
  onRequest?: (method: string, path: string, dryRun: boolean, watch: boolean) => void;
};

const NAMESPACES = findResource('', 'v1', 'namespaces') as ResourceType;
const PODS = findResource('', 'v1', 'pods') as ResourceType;

export class SandboxApiServer {
  readonly #server: Server;
  readonly #options: ApiServerOptions;
  /** A request that failed inside the sandbox: answered 500, told, and the server goes on. */
  readonly #tell = tellOnStderr('a request failed:');
  readonly #streams = new RemoteCommandServer();
  readonly #tokens = new TokenIssuer();
  readonly #access: Access;
  #watches = 0;
  #logStreams = 0;

  constructor(options: ApiServerOptions) {
    this.#options = options;
    this.#access = { deny: options.deny ?? [], policy: policyOf(options.simulator.store) };
    this.#server = createServer(
      {
        // Only a pod stream is taken over as an upgrade; any other upgrade asked for (h2c, a
        // WebSocket to a list) is ignored and the request served, as Go's server does.
        shouldUpgradeCallback: (req) => isPodStream(req),
        // The API server's 32 s for the headers, then the whole request (its body) within its
        // 60 s request timeout; a response, such as a watch or a followed log, runs on.
        headersTimeout: 32_000,
        requestTimeout: 60_000,
        connectionsCheckingInterval: 2_000,
      },
      (req, res) => {
        this.#handle(req, res).catch((error: unknown) => {
          if (!(error instanceof ApiError)) this.#tell(`${req.method} ${req.url}`, error);
          sendError(res, error);
        });
      },
    );
    this.#server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
      // The HTTP server no longer watches an upgraded socket: a client resetting it while it
      // is answered must not be an unhandled error.
      socket.on('error', () => socket.destroy());
      try {
        this.#upgrade(req, socket, head);
      } catch (error) {
        this.#tell(`${req.method} ${req.url}`, error);
        socket.destroy();
      }
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
    this.#streams.close();
    this.#server.closeAllConnections();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  /** The watches open now: a client that stopped watching has closed its own. */
  get openWatches(): number {
    return this.#watches;
  }

  /** The followed logs open now (`logs -f`): a client that left has closed its own. */
  get openLogStreams(): number {
    return this.#logStreams;
  }

  get #store() {
    return this.#options.simulator.store;
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    refuseDotSegments(req.url ?? '/');
    const url = requestUrl(req);
    if (url === undefined) return sendUnparseable(res);
    const method = req.method ?? 'GET';
    const watch = method === 'GET' && isWatch(url.searchParams);
    this.#options.onRequest?.(
      method,
      url.pathname,
      url.searchParams.get('dryRun') === 'All',
      watch,
    );
    if (watch) {
      this.#watches++;
      res.once('close', () => this.#watches--);
    }
    if (method === 'GET' && url.searchParams.get('follow') === 'true') {
      this.#logStreams++;
      res.once('close', () => this.#logStreams--);
    }
    const path = url.pathname.replace(/\/+$/, '') || '/';
    const requester = authenticateRequest(this.#access, this.#store, this.#tokens, req.headers);
    const target = parseTarget(path);
    if (target === undefined) {
      authorisePath(this.#access, requester, method, url.pathname);
      const fixed = this.#fixed(path, req);
      if (fixed !== undefined) return sendJson(res, 200, fixed);
      if (['/healthz', '/readyz', '/livez'].includes(path)) return sendText(res, 200, 'ok');
      if (path === '/openapi/v2') return sendOpenApiV2(req, res);
      throw new ApiError(404, 'NotFound', 'the server could not find the requested resource', {});
    }
    authorise(this.#access, requester, method, target, url);
    this.#options.simulator.catchUp();
    const call: Call = {
      store: this.#store,
      req,
      res,
      target,
      query: url.searchParams,
      dryRun: checkWriteOptions(url.searchParams, method),
      fieldManager: url.searchParams.get('fieldManager') ?? undefined,
    };
    const scope = { access: this.#access, requester };
    return requestScope.run(scope, () => this.#route(call, method, url, requester));
  }

  /**
   * An upgrade to `pods/attach` or `pods/exec`: authorised and checked as any request, then a
   * session over WebSocket, or a Status as plain HTTP.
   */
  #upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const url = requestUrl(req);
    if (url === undefined) {
      socket.end(UNPARSEABLE);
      return;
    }
    const method = req.method ?? 'GET';
    this.#options.onRequest?.(method, url.pathname, false, false);
    this.#streams.handle(req, socket, head, () => {
      refuseDotSegments(req.url ?? '/');
      const request = podStreamPath(url.pathname);
      if (request === undefined)
        throw new ApiError(404, 'NotFound', 'the server could not find the requested resource', {});
      const { namespace, name, verb } = request;
      // A WebSocket upgrade arrives as a GET and is authorised as `get` on the subresource, as
      // by the 1.32 API server the sandbox reports being (1.35 also asks for `create`).
      const requester = authenticateRequest(this.#access, this.#store, this.#tokens, req.headers);
      authorise(this.#access, requester, method, { type: PODS, namespace, name, sub: verb }, url);
      this.#options.simulator.catchUp();
      return openPodStream(
        this.#options.simulator,
        this.#options.standIn,
        request,
        url.searchParams,
      );
    });
  }

  /** Past discovery and authorisation: the special groups and subresources, then the verbs. */
  async #route(call: Call, method: string, url: URL, requester: Requester): Promise<void> {
    const { req, res, target, query } = call;
    if (target.type.group === 'metrics.k8s.io')
      return serveMetrics(this.#options.simulator, this.#options.metrics, res, target, req, url);
    if (target.type.kind.endsWith('SubjectAccessReview'))
      return serveAccessReview(this.#access, requester, method, target, req, res);
    if (target.type.kind === 'SelfSubjectReview') return serveWhoAmI(requester, method, res);
    if (target.type.kind === 'SelfSubjectRulesReview')
      return serveRulesReview(this.#access, requester, method, req, res);
    if (target.namespace !== undefined && target.type.namespaced && method !== 'GET') {
      if (this.#store.get(NAMESPACES, undefined, target.namespace) === undefined)
        throw notFound(NAMESPACES, target.namespace);
    }
    if (target.type.group === 'autoscaling' && target.type.version === 'v1')
      return serveHpaV1(call, method);
    if (target.sub === 'eviction') return serveEviction(call);
    if (target.sub === 'token') return serveTokenRequest(call, method, this.#tokens);
    if (target.sub === 'log') return serveLog(this.#options.simulator, res, target, query);
    if (target.sub === 'scale')
      return serveScale(this.#options.simulator, req, res, target, call.dryRun, call.fieldManager);
    if (target.name === undefined) return serveCollection(call, method);
    return serveObject(call, method, target.name);
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
}

function sendOpenApiV2(req: IncomingMessage, res: ServerResponse): void {
  if (!(req.headers.accept ?? '').includes(OPENAPI_V2_PROTOBUF)) {
    sendJson(res, 200, openApiV2Json());
    return;
  }
  const body = openApiV2Protobuf();
  res.writeHead(200, {
    'content-type': OPENAPI_V2_PROTOBUF_CONTENT,
    'content-length': body.length,
  });
  res.end(body);
}

/** The request's URI, or undefined when it cannot be parsed (`http://x:0x/`). */
function requestUrl(req: IncomingMessage): URL | undefined {
  try {
    return new URL(req.url ?? '/', 'http://sandbox');
  } catch {
    return undefined;
  }
}

/** An upgrade the sandbox takes over: any protocol asked for on a pod's `attach` or `exec`. */
function isPodStream(req: IncomingMessage): boolean {
  const url = requestUrl(req);
  return url !== undefined && podStreamPath(url.pathname) !== undefined;
}

/** What Go's HTTP server answers a request line it cannot parse, before any handler runs. */
const UNPARSEABLE =
  'HTTP/1.1 400 Bad Request\r\nContent-Type: text/plain; charset=utf-8\r\nConnection: close\r\n\r\n400 Bad Request';

function sendUnparseable(res: ServerResponse): void {
  res.writeHead(400, {
    'content-type': 'text/plain; charset=utf-8',
    'content-length': 15,
    connection: 'close',
  });
  res.end('400 Bad Request');
}

/**
 * A path with a `.` or `..` segment (plain or percent-encoded) is refused before it is read: the
 * URL parser would resolve `configmaps/..` to the namespace above it, and a DELETE would then
 * remove the namespace.
 */
function refuseDotSegments(raw: string): void {
  const path = raw.split('?')[0] ?? '';
  const dotted = path.split('/').some((segment) => /^(\.|%2e){1,2}$/i.test(segment));
  if (dotted)
    throw new ApiError(400, 'BadRequest', `the path may not contain "." or ".." segments: ${path}`);
}
