import {
  ApiException,
  AppsV1Api,
  AutoscalingV2Api,
  BatchV1Api,
  type Configuration,
  CoordinationV1Api,
  CoreV1Api,
  CustomObjectsApi,
  createConfiguration,
  DiscoveryV1Api,
  HttpMethod,
  KubeConfig,
  KubernetesObjectApi,
  type Middleware,
  PolicyV1Api,
  ServerConfiguration,
  StorageV1Api,
  type User,
  Watch,
} from '@kubernetes/client-node';
import { type ClusterEntry, DEFAULT_CLUSTER_NAME } from '../../config/index.ts';
import { CoxswainError } from '../../errors.ts';

/**
 * Access to the clusters the bot may touch: the current kubeconfig context (or the pod's
 * service account when it runs in a cluster), or named clusters from the config file, each by
 * context, kubeconfig file or in-cluster credentials. Clients are made on first use.
 */
type ClusterSpec = ClusterEntry;

/**
 * How long one API call may take. Every call the tools make is a single read or write (no
 * watches, no followed logs), so one bound fits all; a cluster entry may set its own. Watches
 * (`watch`) are bounded by the server's `timeoutSeconds` they ask for instead.
 */
const DEFAULT_TIMEOUT_SECONDS = 15;

export type Cluster = {
  name: string;
  /** The API server's address, for messages; never credentials. */
  server: string;
  core: CoreV1Api;
  apps: AppsV1Api;
  autoscaling: AutoscalingV2Api;
  batch: BatchV1Api;
  /** Leases, for the bot replicas' leader election. */
  coordination: CoordinationV1Api;
  policy: PolicyV1Api;
  storage: StorageV1Api;
  discovery: DiscoveryV1Api;
  custom: CustomObjectsApi;
  objects: KubernetesObjectApi;
  /**
   * One JSON read, answered as the API server sent it. The typed clients drop every field their
   * models lack, so what a change does is read through this, whole.
   */
  json(method: 'GET', path: string, request?: JsonRequest): Promise<unknown>;
  /**
   * One JSON write (a patch or a delete, or the server's dry run of one), the only way a change
   * reaches the cluster: sent as `writeAs` when the cluster names it, as the credentials' own
   * user otherwise.
   */
  write(method: 'PATCH' | 'DELETE', path: string, request?: JsonRequest): Promise<unknown>;
  /** The user writes impersonate (the config's `writeAs`); undefined: the credentials' own. */
  writeAs: string | undefined;
  /**
   * A watch on a collection (`/api/v1/pods`): each event's type and object as the API server
   * sent them, until the watch ends (resolves: the server's timeout, or 30 s without data, after
   * which the library lets it go), fails (rejects) or `signal` aborts it.
   */
  watch(
    path: string,
    query: Record<string, string>,
    onEvent: (type: string, object: unknown) => void,
    signal: AbortSignal,
  ): Promise<void>;
};

type JsonRequest = {
  query?: Record<string, string>;
  body?: unknown;
  /** Of the body; JSON by default. */
  contentType?: string;
};

export function connect(spec: ClusterSpec): Cluster {
  const kc = new KubeConfig();
  try {
    if (spec.inCluster === true) kc.loadFromCluster();
    else if (spec.kubeconfig !== undefined) kc.loadFromFile(spec.kubeconfig);
    else kc.loadFromDefault();
  } catch (error) {
    const source =
      spec.inCluster === true
        ? 'in-cluster credentials'
        : (spec.kubeconfig ?? 'the default kubeconfig');
    throw new CoxswainError(
      'kubernetes_config',
      `cluster ${spec.name}: cannot load ${source}: ${loadFailure(error)}`,
      { cause: error },
    );
  }
  if (spec.context !== undefined) {
    if (!kc.getContexts().some((c) => c.name === spec.context)) {
      throw new CoxswainError(
        'kubernetes_config',
        `cluster ${spec.name}: the kubeconfig has no context "${spec.context}" (it has: ${
          kc
            .getContexts()
            .map((c) => c.name)
            .join(', ') || 'none'
        })`,
      );
    }
    kc.setCurrentContext(spec.context);
  }
  allowPlainHttp(kc);
  const current = kc.getCurrentCluster();
  // With no kubeconfig anywhere and no service account, the library falls back to an
  // unauthenticated http://localhost:8080, which is never what a person meant.
  const fallback = current?.name === 'cluster' && current.server === 'http://localhost:8080';
  if (current === null || (fallback && spec.kubeconfig === undefined && spec.inCluster !== true)) {
    throw new CoxswainError(
      'kubernetes_config',
      `cluster ${spec.name}: no Kubernetes cluster is configured: set KUBECONFIG, create ~/.kube/config, or run inside a cluster`,
    );
  }
  const config = clientConfiguration(kc, current.server, spec.timeoutSeconds);
  const timeoutSeconds = spec.timeoutSeconds ?? DEFAULT_TIMEOUT_SECONDS;
  const writer = spec.writeAs === undefined ? kc : impersonating(kc, spec.writeAs);
  return {
    json: (method, path, request = {}) =>
      jsonRequest(config, kc, timeoutSeconds, method, path, request),
    write: (method, path, request = {}) =>
      jsonRequest(config, writer, timeoutSeconds, method, path, request),
    writeAs: spec.writeAs,
    watch: (path, query, onEvent, signal) => watchCollection(kc, path, query, onEvent, signal),
    name: spec.name,
    server: current.server,
    core: new CoreV1Api(config),
    apps: new AppsV1Api(config),
    autoscaling: new AutoscalingV2Api(config),
    batch: new BatchV1Api(config),
    coordination: new CoordinationV1Api(config),
    policy: new PolicyV1Api(config),
    storage: new StorageV1Api(config),
    discovery: new DiscoveryV1Api(config),
    custom: new CustomObjectsApi(config),
    objects: ObjectApi.of(config, kc),
  };
}

async function jsonRequest(
  config: Configuration,
  kc: KubeConfig,
  timeoutSeconds: number,
  method: 'GET' | 'PATCH' | 'DELETE',
  path: string,
  request: JsonRequest,
): Promise<unknown> {
  const context = config.baseServer.makeRequestContext(path, HttpMethod[method]);
  for (const [name, value] of Object.entries(request.query ?? {}))
    context.setQueryParam(name, value);
  context.setHeaderParam('Accept', 'application/json');
  context.setHeaderParam('User-Agent', 'coxswain');
  if (request.body !== undefined) {
    context.setHeaderParam('Content-Type', request.contentType ?? 'application/json');
    context.setBody(JSON.stringify(request.body));
  }
  context.setSignal(AbortSignal.timeout(timeoutSeconds * 1_000));
  await kc.applySecurityAuthentication(context);
  const response = await config.httpApi.send(context).toPromise();
  const text = await response.body.text();
  // The same error the typed clients throw, so it is worded the same way for people.
  if (response.httpStatusCode >= 400)
    throw new ApiException(
      response.httpStatusCode,
      `HTTP ${response.httpStatusCode}`,
      text,
      response.headers,
    );
  return text === '' ? undefined : JSON.parse(text);
}

function watchCollection(
  kc: KubeConfig,
  path: string,
  query: Record<string, string>,
  onEvent: (type: string, object: unknown) => void,
  signal: AbortSignal,
): Promise<void> {
  return new Promise((resolve, reject) => {
    let request: AbortController | undefined;
    const abort = () => request?.abort();
    const end = (error: unknown) => {
      signal.removeEventListener('abort', abort);
      // Once open, a watch that went quiet is over, not failed; before, a timeout is a failure.
      const quiet = request !== undefined && (error as Error | null)?.name === 'TimeoutError';
      if (error === null || error === undefined || quiet) resolve();
      else reject(refusal(error) ?? error);
    };
    signal.addEventListener('abort', abort, { once: true });
    new Watch(kc)
      .watch(path, query, (type: string, object: unknown) => onEvent(type, object), end)
      .then((started) => {
        request = started;
        // Aborted while the request was on its way: end it now it can be.
        if (signal.aborted) started.abort();
      }, end);
  });
}

/**
 * A watch the API server refused (403, 410…) as the library's typed clients report a refused
 * call, so that it is worded the same way for people; the library's watch gives only a status.
 */
function refusal(error: unknown): ApiException<string> | undefined {
  const status = (error as { statusCode?: unknown }).statusCode;
  if (typeof status !== 'number') return undefined;
  return new ApiException(status, `HTTP ${status}`, '', {});
}

/** The generic object client on our configuration, with the context's default namespace. */
class ObjectApi extends KubernetesObjectApi {
  static of(config: Configuration, kc: KubeConfig): KubernetesObjectApi {
    const api = new ObjectApi(config);
    api.setDefaultNamespace(kc);
    return api;
  }
}

/**
 * The library's own client configuration (the kubeconfig authenticates each request), plus a
 * deadline on every call: a hung API server fails the call instead of holding a job's lock.
 */
function clientConfiguration(
  kc: KubeConfig,
  server: string,
  timeoutSeconds = DEFAULT_TIMEOUT_SECONDS,
): Configuration {
  const deadline: Middleware = {
    async pre(context) {
      context.setSignal(AbortSignal.timeout(timeoutSeconds * 1_000));
      context.setHeaderParam('User-Agent', 'coxswain');
      return context;
    },
    async post(context) {
      return context;
    },
  };
  return createConfiguration({
    baseServer: new ServerConfiguration(server, {}),
    authMethods: { default: kc },
    promiseMiddleware: [deadline],
  });
}

/**
 * The same credentials, acting as `user`: the library sends `Impersonate-User` (and no other
 * impersonation header) for a kubeconfig user with `as`, so the API server authorises the request
 * as `user` once the credentials may impersonate it. A context with no user (`kubectl proxy`'s,
 * which sends no credentials) gets one that only impersonates, never a write as the proxy itself.
 */
function impersonating(kc: KubeConfig, user: string): KubeConfig {
  const context = kc.getContextObject(kc.currentContext);
  const own = kc.users.find((u) => u.name === context?.user);
  const writer: User = { ...(own ?? { name: 'coxswain:write-as' }), impersonateUser: user };
  const config = new KubeConfig();
  config.loadFromOptions({
    clusters: kc.clusters,
    users: [...kc.users.filter((u) => u !== own), writer],
    contexts: kc.contexts.map((c) =>
      c.name === kc.currentContext ? { ...c, user: writer.name } : c,
    ),
    currentContext: kc.currentContext,
  });
  return config;
}

/**
 * A plain `http://` server (what `kubectl proxy` serves) works as it does for kubectl. The
 * library refuses one unless its cluster says `insecure-skip-tls-verify`, a flag that has no
 * meaning without TLS; setting it there changes nothing but that refusal.
 */
function allowPlainHttp(kc: KubeConfig): void {
  if (!kc.clusters.some((c) => c.server.startsWith('http:') && c.skipTLSVerify !== true)) return;
  kc.loadFromOptions({
    clusters: kc.clusters.map((c) =>
      c.server.startsWith('http:') ? { ...c, skipTLSVerify: true } : c,
    ),
    users: kc.users,
    contexts: kc.contexts,
    currentContext: kc.currentContext,
  });
}

/** The configured clusters by name, each connected once, when first asked for. */
export class Clusters {
  readonly #specs: readonly ClusterSpec[];
  readonly #connected = new Map<string, Cluster>();

  constructor(specs: readonly ClusterSpec[]) {
    this.#specs = specs.length === 0 ? [{ name: DEFAULT_CLUSTER_NAME }] : specs;
  }

  get names(): string[] {
    return this.#specs.map((s) => s.name);
  }

  /** The named cluster, or the first configured one. */
  get(name?: string): Cluster {
    const spec = name === undefined ? this.#specs[0] : this.#specs.find((s) => s.name === name);
    if (spec === undefined) {
      throw new CoxswainError(
        'kubernetes_config',
        `no cluster named "${name}"; configured: ${this.names.join(', ')}`,
      );
    }
    let cluster = this.#connected.get(spec.name);
    if (cluster === undefined) {
      cluster = connect(spec);
      this.#connected.set(spec.name, cluster);
    }
    return cluster;
  }
}

/**
 * Why a kubeconfig could not be loaded, without the parser's excerpt of the file: a kubeconfig
 * holds tokens and keys, and this message may reach chat.
 */
function loadFailure(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return 'file not found';
  if (code === 'EACCES') return 'permission denied';
  if (typeof code === 'string') return code;
  const line = /line (\d+)/i.exec((error as Error).message ?? '')?.[1];
  return `not a valid kubeconfig${line === undefined ? '' : ` (near line ${line})`}`;
}
