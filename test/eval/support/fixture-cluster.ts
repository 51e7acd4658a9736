import { writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { meets, parseLabelSelector } from '../../../src/sandbox/api/label-selector.ts';
import { applyPatch, patchTypeOf } from '../../../src/sandbox/api/patch.ts';
import { RESOURCES, type Resource, resourceOf } from './kinds.ts';
import { podLog } from './pod-log.ts';
import { type KubeObject, type Scenario, shiftedObjects } from './scenario.ts';

/**
 * A read-only API server holding one scenario's recorded objects and logs, for the real
 * `@kubernetes/client-node`: list and get of every kind the product reads, namespace scoping,
 * label and field selectors, `pods/log` with its query, and the API server's own errors. A
 * `dryRun=All` patch is answered with the object as the patch would make it, stored nowhere;
 * every other write is refused with 405. Argo CD answers 404 when the scenario has none of its
 * applications, as a cluster without its CRD does.
 */
export type FixtureCluster = {
  url: string;
  /** A kubeconfig file whose current context is this server. */
  kubeconfig: string;
  /** Every request received, as `METHOD path?query`. */
  requests: string[];
  close(): Promise<void>;
};

type Answer = { status: number; body: unknown; type?: string };

export async function startFixtureCluster(
  scenario: Scenario,
  dir: string,
  /** The time the objects are served as read at. */
  now: number = Date.now(),
): Promise<FixtureCluster> {
  const requests: string[] = [];
  const recorded = { ...scenario, objects: shiftedObjects(scenario, now) };
  const server = createServer((req, res) => {
    requests.push(`${req.method} ${req.url}`);
    void readBody(req).then((body) => send(res, answer(recorded, req, body)));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const kubeconfig = join(dir, `${scenario.id}.kubeconfig`);
  writeFileSync(kubeconfig, kubeconfigFor(url));
  return {
    url,
    kubeconfig,
    requests,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function kubeconfigFor(url: string): string {
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: 'fixture', cluster: { server: url } }],
    users: [{ name: 'reader', user: { token: 'fixture-read-only' } }],
    contexts: [{ name: 'fixture', context: { cluster: 'fixture', user: 'reader' } }],
    'current-context': 'fixture',
  });
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

function send(res: ServerResponse, { status, body, type }: Answer): void {
  if (Buffer.isBuffer(body) || typeof body === 'string') {
    res.writeHead(status, { 'content-type': type ?? 'text/plain' });
    res.end(body);
    return;
  }
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

export function statusBody(code: number, reason: string, message: string): Answer {
  return {
    status: code,
    body: {
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message,
      reason,
      code,
    },
  };
}

/** A parsed request path: the resource, the namespace and name it names, and a subresource. */
type Route = { resource: Resource; namespace?: string; name?: string; sub?: string };

function route(path: string): Route | 'discovery' | undefined {
  const parts = path.split('/').filter((p) => p !== '');
  let groupVersion: string;
  let rest: string[];
  if (parts[0] === 'api' && parts[1] === 'v1') {
    groupVersion = 'v1';
    rest = parts.slice(2);
  } else if (parts[0] === 'apis' && parts.length >= 3) {
    groupVersion = `${parts[1]}/${parts[2]}`;
    rest = parts.slice(3);
  } else return undefined;
  if (rest.length === 0) return 'discovery';
  let namespace: string | undefined;
  if (rest[0] === 'namespaces' && rest.length >= 3) {
    namespace = decodeURIComponent(rest[1] ?? '');
    rest = rest.slice(2);
  }
  const resource = resourceOf(groupVersion, rest[0] ?? '');
  if (resource === undefined) return undefined;
  const found: Route = { resource };
  if (namespace !== undefined) found.namespace = namespace;
  if (rest[1] !== undefined) found.name = decodeURIComponent(rest[1]);
  if (rest[2] !== undefined) found.sub = rest[2];
  return found;
}

function answer(scenario: Scenario, req: IncomingMessage, body: Buffer): Answer {
  const url = new URL(req.url ?? '/', 'http://fixture');
  const where = route(url.pathname);
  if (url.pathname.startsWith('/apis/argoproj.io/') && !hasApplications(scenario))
    return { status: 404, body: '404 page not found\n' };
  if (where === undefined) return { status: 404, body: '404 page not found\n' };
  if (where === 'discovery') return discovery(url.pathname);
  try {
    if (req.method === 'GET') return read(scenario, where, url.searchParams);
    if (req.method === 'PATCH' && url.searchParams.get('dryRun') === 'All')
      return dryRunPatch(scenario, where, body, req.headers['content-type']);
  } catch (error) {
    const e = error as { status?: number; reason?: string; message: string };
    return statusBody(e.status ?? 400, e.reason ?? 'BadRequest', e.message);
  }
  return statusBody(
    405,
    'MethodNotAllowed',
    `the server does not allow this method on the requested resource (${req.method}: this cluster is a read-only recording)`,
  );
}

function hasApplications(scenario: Scenario): boolean {
  return scenario.objects.some((o) => o.kind === 'Application');
}

function discovery(path: string): Answer {
  const groupVersion = path.startsWith('/api/') ? 'v1' : path.split('/').slice(2, 4).join('/');
  const resources = RESOURCES.filter((r) => r.groupVersion === groupVersion).map((r) => ({
    name: r.plural,
    singularName: r.kind.toLowerCase(),
    namespaced: r.namespaced,
    kind: r.kind,
    verbs: ['get', 'list'],
  }));
  if (resources.length === 0) return { status: 404, body: '404 page not found\n' };
  return {
    status: 200,
    body: { kind: 'APIResourceList', apiVersion: 'v1', groupVersion, resources },
  };
}

/** The scenario's objects of a kind, with its namespaces made up when it lists none. */
function objectsOf(scenario: Scenario, resource: Resource): KubeObject[] {
  const own = scenario.objects.filter(
    (o) =>
      o.kind === resource.kind && (o.apiVersion ?? resource.groupVersion) === resource.groupVersion,
  );
  if (resource.kind !== 'Namespace' || own.length > 0) return own;
  const names = new Set([scenario.namespace, 'default', 'kube-system']);
  for (const o of scenario.objects) if (o.metadata.namespace) names.add(o.metadata.namespace);
  return [...names].map((name) => ({
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: { name, labels: { 'kubernetes.io/metadata.name': name } },
    spec: { finalizers: ['kubernetes'] },
    status: { phase: 'Active' },
  }));
}

function read(scenario: Scenario, where: Route, query: URLSearchParams): Answer {
  const all = objectsOf(scenario, where.resource).filter(
    (o) => where.namespace === undefined || o.metadata.namespace === where.namespace,
  );
  if (where.name === undefined) return list(where.resource, all, query);
  const object = all.find((o) => o.metadata.name === where.name);
  if (object === undefined) {
    const plural = where.resource.plural;
    const group = where.resource.groupVersion.includes('/')
      ? `${plural}.${where.resource.groupVersion.split('/')[0]}`
      : plural;
    return statusBody(404, 'NotFound', `${group} "${where.name}" not found`);
  }
  if (where.sub === undefined) return { status: 200, body: object };
  if (where.resource.kind === 'Pod' && where.sub === 'log') {
    const log = podLog(scenario, object, query);
    if (log === undefined || log.status === 200) return { status: 200, body: log?.body ?? '' };
    return statusBody(log.status, log.reason ?? 'BadRequest', String(log.body));
  }
  return { status: 404, body: '404 page not found\n' };
}

function list(resource: Resource, objects: KubeObject[], query: URLSearchParams): Answer {
  const labels = query.get('labelSelector');
  const fields = query.get('fieldSelector');
  const requirements = labels ? parseLabelSelector(labels) : [];
  const items = objects
    .filter((o) => {
      const own = (o.metadata as { labels?: Record<string, string> }).labels ?? {};
      return requirements.every((r) => meets(own, r));
    })
    .filter((o) => fields === null || fields === '' || matchesFields(o, fields))
    .map(({ apiVersion: _, kind: __, ...rest }) => rest);
  return {
    status: 200,
    body: {
      kind: `${resource.kind}List`,
      apiVersion: resource.groupVersion,
      metadata: { resourceVersion: '48213507' },
      items,
    },
  };
}

/** `a.b=c,d!=e`: equality and inequality on dotted paths, as field selectors are. */
function matchesFields(object: KubeObject, selector: string): boolean {
  return selector.split(',').every((term) => {
    const match = /^([^!=]+)(!=|==|=)(.*)$/.exec(term.trim());
    if (match === null)
      throw Object.assign(new Error(`invalid field selector: ${term}`), { status: 400 });
    const [, path = '', op, value] = match;
    let at: unknown = object;
    for (const key of path.split('.')) at = (at as Record<string, unknown> | undefined)?.[key];
    const equal = String(at ?? '') === value;
    return op === '!=' ? !equal : equal;
  });
}

function dryRunPatch(
  scenario: Scenario,
  where: Route,
  body: Buffer,
  contentType: string | undefined,
): Answer {
  const found = read(scenario, where, new URLSearchParams());
  if (found.status !== 200 || where.sub !== undefined) return found;
  const type = patchTypeOf(contentType);
  if (type === undefined)
    return statusBody(
      415,
      'UnsupportedMediaType',
      `the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/strategic-merge-patch+json`,
    );
  const patched = applyPatch(structuredClone(found.body), JSON.parse(body.toString('utf8')), type);
  return { status: 200, body: patched };
}
