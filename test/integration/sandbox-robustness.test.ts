import { mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ApiException, KubeConfig, KubernetesObjectApi } from '@kubernetes/client-node';
import { afterAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { stringify } from 'yaml';
import { findResource, type ResourceType } from '../../src/sandbox/api/catalog.ts';
import type { KObject } from '../../src/sandbox/api/store.ts';
import { runKubectl } from '../support/kubectl.ts';
import { eventually, useSandbox } from '../support/sandbox.ts';

/**
 * Nobody can crash the sandbox: objects valid, odd, invalid, without `status` and huge (five kinds
 * in 31 shapes each) sent through the client library, and the pods and ConfigMaps among them
 * through kubectl, each answered (a 2xx, or a 4xx or
 * 500 Status for that request alone), and the sandbox still serves every other client after.
 */
const sandbox = useSandbox(['healthy']);
const cacheDir = mkdtempSync(join(tmpdir(), 'coxswain-kubectl-cache-'));

afterAll(() => rmSync(cacheDir, { recursive: true, force: true }));

type Json = Record<string, unknown>;

const PODS = findResource('', 'v1', 'pods') as ResourceType;

const KINDS: readonly { apiVersion: string; kind: string; namespaced: boolean }[] = [
  { apiVersion: 'v1', kind: 'Pod', namespaced: true },
  { apiVersion: 'apps/v1', kind: 'Deployment', namespaced: true },
  { apiVersion: 'v1', kind: 'Service', namespaced: true },
  { apiVersion: 'v1', kind: 'ConfigMap', namespaced: true },
  { apiVersion: 'v1', kind: 'Namespace', namespaced: false },
];

const container = (extra: Json = {}): Json => ({ name: 'app', image: 'nginx:1.27', ...extra });
const podSpec = (extra: Json = {}): Json => ({ containers: [container()], ...extra });
const template = (spec: Json = podSpec()): Json => ({ metadata: { labels: { app: 'x' } }, spec });

function ordinary(kind: (typeof KINDS)[number], name: string, namespace: string): Json {
  const metadata = { name, ...(kind.namespaced ? { namespace } : {}), labels: { app: 'x' } };
  const base = { apiVersion: kind.apiVersion, kind: kind.kind, metadata };
  switch (kind.kind) {
    case 'Pod':
      return { ...base, spec: podSpec() };
    case 'Service':
      return { ...base, spec: { selector: { app: 'x' }, ports: [{ port: 80 }] } };
    case 'ConfigMap':
      return { ...base, data: { key: 'value' } };
    case 'Namespace':
      return base;
    default:
      return {
        ...base,
        spec: { replicas: 1, selector: { matchLabels: { app: 'x' } }, template: template() },
      };
  }
}

type Shape = { name: string; make: (object: Json) => Json };

const huge = 'x'.repeat(400_000);
let deep: Json = { leaf: 'bottom' };
for (let i = 0; i < 200; i++) deep = { inner: deep };

/** Ways an object can be odd, invalid or large; each applies to every kind. */
const SHAPES: readonly Shape[] = [
  { name: 'ordinary', make: (o) => o },
  { name: 'with-status', make: (o) => ({ ...o, status: { phase: 'Running' } }) },
  { name: 'status-junk', make: (o) => ({ ...o, status: 'running' }) },
  { name: 'conditions-string', make: (o) => ({ ...o, status: { conditions: 'x' } }) },
  { name: 'conditions-junk', make: (o) => ({ ...o, status: { conditions: [1, null, 'x'] } }) },
  { name: 'spec-string', make: (o) => ({ ...o, spec: 'everything' }) },
  { name: 'spec-list', make: (o) => ({ ...o, spec: [1, 2, 3] }) },
  { name: 'spec-null', make: (o) => ({ ...o, spec: null }) },
  {
    name: 'unknown-fields',
    make: (o) => ({ ...o, spec: { ...(o.spec as Json), nonsense: deep } }),
  },
  { name: 'huge-annotation', make: (o) => withMeta(o, { annotations: { big: huge } }) },
  { name: 'huge-data', make: (o) => ({ ...o, data: { big: huge } }) },
  { name: 'label-number', make: (o) => withMeta(o, { labels: { app: 7 } }) },
  { name: 'labels-list', make: (o) => withMeta(o, { labels: ['app'] }) },
  { name: 'unicode', make: (o) => withMeta(o, { annotations: { note: '⛵ ünïcödé \u0000 🚀' } }) },
  {
    name: 'proto-keys',
    make: (o) => JSON.parse(`{"__proto__":{"polluted":true},${JSON.stringify(o).slice(1)}`),
  },
  {
    name: 'owner-missing',
    make: (o) =>
      withMeta(o, {
        ownerReferences: [
          {
            apiVersion: 'apps/v1',
            kind: 'ReplicaSet',
            name: 'gone',
            uid: 'no-such-uid',
            controller: true,
          },
        ],
      }),
  },
  { name: 'owner-junk', make: (o) => withMeta(o, { ownerReferences: 'me' }) },
  { name: 'finalizer', make: (o) => withMeta(o, { finalizers: ['example.com/keep'] }) },
  { name: 'deleting', make: (o) => withMeta(o, { deletionTimestamp: '2020-01-01T00:00:00Z' }) },
  { name: 'no-containers', make: (o) => onPod(o, { containers: [] }) },
  { name: 'containers-object', make: (o) => onPod(o, { containers: { app: container() } }) },
  { name: 'container-no-image', make: (o) => onPod(o, { containers: [{ name: 'app' }] }) },
  { name: 'container-junk', make: (o) => onPod(o, { containers: [null, 3, 'x'] }) },
  {
    name: 'requests-junk',
    make: (o) =>
      onPod(
        o,
        podSpec({
          containers: [container({ resources: { requests: { cpu: 'lots', memory: -5 } } })],
        }),
      ),
  },
  {
    name: 'requests-huge',
    make: (o) =>
      onPod(
        o,
        podSpec({
          containers: [container({ resources: { requests: { cpu: '50', memory: '9Ei' } } })],
        }),
      ),
  },
  {
    name: 'ports-junk',
    make: (o) =>
      onPod(
        o,
        podSpec({
          containers: [container({ ports: [{ containerPort: 'http' }, { containerPort: 99999 }] })],
        }),
      ),
  },
  {
    name: 'exit-1',
    make: (o) =>
      onPod(
        o,
        podSpec({
          containers: [container({ command: ['sh', '-c', 'exit 1'] })],
          restartPolicy: 'Never',
        }),
      ),
  },
  {
    name: 'missing-config',
    make: (o) =>
      onPod(
        o,
        podSpec({ containers: [container({ envFrom: [{ configMapRef: { name: 'nowhere' } }] })] }),
      ),
  },
  {
    name: 'impossible-node',
    make: (o) => onPod(o, podSpec({ nodeSelector: { disk: 'unobtainium' }, tolerations: 'all' })),
  },
  {
    name: 'replicas-odd',
    make: (o) => ({ ...o, spec: { ...(o.spec as Json), replicas: -3, selector: 'app=x' } }),
  },
  { name: 'no-metadata', make: (o) => ({ ...o, metadata: undefined }) },
];

function withMeta(object: Json, extra: Json): Json {
  return { ...object, metadata: { ...(object.metadata as Json), ...extra } };
}

/** Puts a pod spec where the kind keeps one (the pod, or a workload's template). */
function onPod(object: Json, spec: Json): Json {
  if (object.kind === 'Pod') return { ...object, spec };
  if (object.kind === 'Deployment')
    return { ...object, spec: { ...(object.spec as Json), template: template(spec) } };
  return { ...object, spec };
}

/** Every kind in every shape, named `<prefix>-<kind>-<shape>`. */
function flood(prefix: string, namespace: string): Json[] {
  return KINDS.flatMap((kind) =>
    SHAPES.map((shape) => {
      const name = `${prefix}-${kind.kind.toLowerCase()}-${shape.name}`;
      return shape.make(ordinary(kind, name, namespace));
    }),
  );
}

const PLURALS: Record<string, string> = {
  Pod: 'api/v1/namespaces/flood/pods',
  Deployment: 'apis/apps/v1/namespaces/flood/deployments',
  Service: 'api/v1/namespaces/flood/services',
  ConfigMap: 'api/v1/namespaces/flood/configmaps',
  Namespace: 'api/v1/namespaces',
};

/**
 * Creates an object through the client library and answers the status the sandbox gave. What the
 * library cannot even serialise (a list where it wants an object) goes as JSON over plain HTTP.
 */
async function send(client: KubernetesObjectApi, object: Json): Promise<number> {
  try {
    await client.create(object as never);
    return 201;
  } catch (error) {
    if (error instanceof ApiException) {
      if (error.code >= 500) expect(String(error.body)).toContain('"kind":"Status"');
      return error.code;
    }
  }
  const response = await fetch(`${sandbox.sandbox.url}/${PLURALS[String(object.kind)]}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(object),
  });
  const body = (await response.json()) as Json;
  if (response.status >= 400) expect(body.kind).toBe('Status');
  return response.status;
}

/** The sandbox answers another client: the API server's version and a list of pods. */
async function stillServes(): Promise<void> {
  const version = await fetch(`${sandbox.sandbox.url}/version`);
  expect(version.status).toBe(200);
  const pods = await sandbox.cluster.core.listPodForAllNamespaces();
  expect(pods.items.length).toBeGreaterThan(0);
}

/** kubectl's answer, its output and its errors together. */
async function kubectl(
  args: string[],
  input: string,
): Promise<{ code: number | null; out: string }> {
  const env = { kubeconfig: sandbox.kubeconfig, cacheDir };
  const run = await runKubectl(env, args, input, { timeoutMs: 120_000 });
  return { code: run.code, out: `${run.stdout}${run.stderr}` };
}

describe('a sandbox nobody can crash', () => {
  it('answers each of a few hundred varied objects, from kubectl and the client library, and goes on', async () => {
    const config = new KubeConfig();
    config.loadFromFile(sandbox.kubeconfig);
    const client = KubernetesObjectApi.makeApiClient(config);
    await client.create(ordinary(KINDS[4] as (typeof KINDS)[number], 'flood', '') as never);
    const fromClient = flood('lib', 'flood');
    const fromKubectl = flood('cli', 'flood').filter((o) => o.metadata !== undefined);

    const answers: number[] = [];
    for (const object of fromClient) answers.push(await send(client, object));
    const applied = await kubectl(
      ['apply', '--validate=false', '-f', '-'],
      fromKubectl.map((o) => stringify(o)).join('---\n'),
    );

    expect(fromClient.length + fromKubectl.length).toBeGreaterThan(300);
    expect(answers).toHaveLength(fromClient.length);
    expect(answers.every((code) => code === 201 || (code >= 400 && code < 600))).toBe(true);
    expect(answers.filter((code) => code === 201).length).toBeGreaterThan(20);
    expect(answers.filter((code) => code >= 400).length).toBeGreaterThan(5);
    // kubectl ran to its end, one line for each object it could send.
    expect(applied.code).not.toBeNull();
    expect(applied.out).toContain('deployment.apps/cli-deployment-ordinary created');
    expect(applied.out).toContain('pod/cli-pod-ordinary created');
    await stillServes();
    await eventually(async () => {
      const pods = await sandbox.cluster.core.listNamespacedPod({ namespace: 'flood' });
      const running = pods.items.filter(
        (p) =>
          p.metadata?.name?.startsWith('lib-deployment-ordinary-') &&
          p.spec?.nodeName !== undefined,
      );
      return running.length > 0 ? running : undefined;
    }, 30_000);
    for (const plural of [
      'apis/apps/v1/namespaces/flood/deployments',
      'api/v1/namespaces/flood/pods',
    ])
      await fetch(`${sandbox.sandbox.url}/${plural}`, { method: 'DELETE' });
  }, 180_000);

  it('goes on when its simulator cannot handle an object: that object is left, the rest move on', async () => {
    const config = new KubeConfig();
    config.loadFromFile(sandbox.kubeconfig);
    const client = KubernetesObjectApi.makeApiClient(config);
    // Conditions that are not a list: the kubelet's simulation of this pod fails on them. The
    // API refuses such a pod, as a real one does, so it goes into the store behind the API.
    const odd = ordinary(KINDS[0] as (typeof KINDS)[number], 'odd-status', 'default');
    const oddPod = { ...odd, status: { phase: 'Running', conditions: 'x' } };
    const applied = await kubectl(['apply', '--validate=false', '-f', '-'], stringify(oddPod));
    expect(applied.out).toContain('cannot unmarshal string into Go struct field PodStatus');
    sandbox.sandbox.simulator.store.create(PODS, oddPod as unknown as KObject);
    await client.create(ordinary(KINDS[0] as (typeof KINDS)[number], 'plain', 'default') as never);

    await eventually(async () => {
      const plain = await sandbox.cluster.core.readNamespacedPod({
        name: 'plain',
        namespace: 'default',
      });
      return plain.spec?.nodeName !== undefined ? plain : undefined;
    });
    await stillServes();
  });

  it('gives an ordinary pod that cannot be scheduled the scheduler’s condition and event', async () => {
    const pod = ordinary(KINDS[0] as (typeof KINDS)[number], 'too-big', 'default');
    (pod.spec as { containers: Json[] }).containers = [
      container({ resources: { requests: { cpu: '50' } } }),
    ];

    const applied = await kubectl(['apply', '-f', '-'], stringify(pod));

    expect(applied.out).toContain('pod/too-big created');
    const read = await sandbox.cluster.core.readNamespacedPod({
      name: 'too-big',
      namespace: 'default',
    });
    await new Promise((resolve) => setTimeout(resolve, 500));
    const again = await sandbox.cluster.core.readNamespacedPod({
      name: 'too-big',
      namespace: 'default',
    });
    expect(read.metadata?.name).toBe('too-big');
    expect(again.status?.conditions?.[0]).toMatchObject({
      type: 'PodScheduled',
      status: 'False',
      reason: 'Unschedulable',
    });
    await stillServes();
  });
});

describe('a request that fails inside the sandbox', () => {
  const failing = useSandbox(['healthy'], {
    onRequest: (_method, path) => {
      if (path.endsWith('/configmaps/boom')) throw new TypeError('cannot read the odd thing');
    },
  });

  it('is answered 500 with a Status for itself alone, and told on stderr', async () => {
    const told: string[] = [];
    const write = process.stderr.write.bind(process.stderr);
    process.stderr.write = ((chunk: string | Uint8Array) => {
      told.push(String(chunk));
      return true;
    }) as typeof process.stderr.write;
    let response: Response;
    try {
      response = await fetch(`${failing.sandbox.url}/api/v1/namespaces/shop/configmaps/boom`);
    } finally {
      process.stderr.write = write;
    }

    const body = (await response.json()) as Json;
    expect(response.status).toBe(500);
    expect(body).toMatchObject({ kind: 'Status', reason: 'InternalError', code: 500 });
    expect(told.join('')).toContain(
      'sandbox: a request failed: GET /api/v1/namespaces/shop/configmaps/boom: cannot read the odd thing',
    );
    const other = await fetch(
      `${failing.sandbox.url}/api/v1/namespaces/shop/configmaps/cart-config`,
    );
    expect(other.status).toBe(200);
  });
});

describe('requests that would reach past their object', () => {
  const reached = useSandbox(['healthy']);

  it('refuses a path with a dot segment, which would name the namespace above', async () => {
    const port = new URL(reached.sandbox.url).port;

    const answers = await Promise.all(
      ['/api/v1/namespaces/shop/configmaps/..', '/api/v1/namespaces/shop/configmaps/%2e%2e'].map(
        (path) => rawRequest(port, 'DELETE', path),
      ),
    );

    expect(answers.map((a) => a.status)).toEqual([400, 400]);
    const shop = await reached.cluster.core.readNamespace({ name: 'shop' });
    expect(shop.metadata?.deletionTimestamp).toBeUndefined();
  });

  it('types a server-side apply as it types a create, and leaves no key on the shared prototype', async () => {
    const url = `${reached.sandbox.url}/api/v1/namespaces/shop/configmaps/typed?fieldManager=test`;
    const applied = await fetch(url, {
      method: 'PATCH',
      headers: { 'content-type': 'application/apply-patch+yaml' },
      body: 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: typed\n  labels: { app: 1 }\n',
    });
    const patched = await fetch(
      `${reached.sandbox.url}/api/v1/namespaces/shop/configmaps/cart-config`,
      {
        method: 'PATCH',
        headers: { 'content-type': 'application/json-patch+json' },
        body: JSON.stringify([{ op: 'add', path: '/__proto__/polluted', value: 'yes' }]),
      },
    );

    expect(applied.status).toBe(400);
    expect(((await applied.json()) as Json).message).toContain('cannot unmarshal number');
    expect(patched.status).toBe(422);
    expect(({} as Json).polluted).toBeUndefined();
  });
});

describe('requests a real API server refuses before reaching its handlers', () => {
  const hostile = useSandbox(['healthy']);
  const port = () => Number(new URL(hostile.sandbox.url).port);

  it('answers a request URI it cannot parse with Go’s 400, upgrade or not, and goes on', async () => {
    const head = 'GET http://x:0x/ HTTP/1.1\r\nHost: x\r\n';

    const upgrade = await rawExchange(
      port(),
      `${head}Connection: Upgrade\r\nUpgrade: websocket\r\n\r\n`,
    );
    const plain = await rawExchange(port(), `${head}Connection: close\r\n\r\n`);

    expect(upgrade).toMatch(/^HTTP\/1\.1 400 Bad Request\r\n[\s\S]*\r\n\r\n400 Bad Request$/);
    expect(plain).toMatch(/^HTTP\/1\.1 400 Bad Request\r\n[\s\S]*\r\n\r\n400 Bad Request$/);
    expect((await fetch(`${hostile.sandbox.url}/healthz`)).status).toBe(200);
  });

  it('serves a request asking for an upgrade it does not handle as an ordinary one', async () => {
    const ask = (upgrade: string) =>
      rawExchange(
        port(),
        `GET /api/v1/namespaces HTTP/1.1\r\nHost: x\r\nConnection: Upgrade, close\r\nUpgrade: ${upgrade}\r\n\r\n`,
      );

    const h2c = await ask('h2c');
    const websocket = await ask('websocket');

    expect(h2c).toMatch(/^HTTP\/1\.1 200 OK\r\n[\s\S]*"kind":"NamespaceList"/);
    expect(websocket).toMatch(/^HTTP\/1\.1 200 OK\r\n[\s\S]*"kind":"NamespaceList"/);
  });

  it('only lists and watches a namespaced resource across all namespaces: other verbs get 405', async () => {
    const body = JSON.stringify({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'everywhere', namespace: 'nowhere' },
    });
    const send = (method: string, contentType = 'application/json') =>
      fetch(`${hostile.sandbox.url}/api/v1/configmaps`, {
        method,
        headers: { 'content-type': contentType },
        ...(method === 'DELETE' ? {} : { body }),
      });

    const answers = [
      await send('POST'),
      await send('DELETE'),
      await send('PUT'),
      await send('PATCH', 'application/merge-patch+json'),
    ];

    expect(answers.map((a) => a.status)).toEqual([405, 405, 405, 405]);
    expect(await answers[0]?.json()).toEqual({
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: 'the server does not allow this method on the requested resource',
      reason: 'MethodNotAllowed',
      details: {},
      code: 405,
    });
    const cart = await fetch(
      `${hostile.sandbox.url}/api/v1/namespaces/shop/configmaps/cart-config`,
    );
    expect(cart.status).toBe(200);
  });

  it('closes an exec session with 1009 on a stdin message far larger than kubectl sends', async () => {
    const pod = await runningPod(hostile.sandbox.url);
    const ws = await openExec(hostile.sandbox.url, pod, ['sleep', 'infinity']);
    const closed = new Promise<number>((resolve) => ws.on('close', (code) => resolve(code)));
    const message = Buffer.alloc(4 * 2 ** 20, 0x61);
    message[0] = 0;

    ws.send(message);

    expect(await closed).toBe(1009);
  });

  it('ends an exec session whose pod is deleted, with exit code 137 on the status channel', async () => {
    const pod = await runningPod(hostile.sandbox.url);
    const ws = await openExec(hostile.sandbox.url, pod, ['sleep', 'infinity']);
    const status: string[] = [];
    ws.on('message', (data: Buffer) => {
      if (data[0] === 3) status.push(data.subarray(1).toString());
    });
    const closed = new Promise<number>((resolve) => ws.on('close', (code) => resolve(code)));

    await fetch(`${hostile.sandbox.url}/api/v1/namespaces/shop/pods/${pod}`, { method: 'DELETE' });

    expect(await closed).toBe(1000);
    expect(status.map((s) => JSON.parse(s))).toMatchObject([
      { status: 'Failure', details: { causes: [{ reason: 'ExitCode', message: '137' }] } },
    ]);
  }, 20_000);
});

/** A running pod of the healthy shop's, to exec in. */
async function runningPod(url: string): Promise<string> {
  const list = (await (
    await fetch(`${url}/api/v1/namespaces/shop/pods?fieldSelector=status.phase=Running`)
  ).json()) as { items: KObject[] };
  const pod = list.items.find((p) => p.metadata.deletionTimestamp === undefined);
  if (pod === undefined) throw new Error('no running pod in shop');
  return pod.metadata.name;
}

function openExec(url: string, pod: string, command: string[]): Promise<WebSocket> {
  const query = [...command.map((c) => `command=${encodeURIComponent(c)}`), 'stdin=true'];
  const ws = new WebSocket(
    `${url.replace(/^http/, 'ws')}/api/v1/namespaces/shop/pods/${pod}/exec?${query.join('&')}`,
    ['v5.channel.k8s.io'],
  );
  return new Promise((resolve, reject) => {
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
  });
}

/** Writes a request as given and reads the whole answer, until the server closes. */
function rawExchange(port: number, text: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => socket.write(text));
    let answer = '';
    socket.on('data', (chunk) => {
      answer += chunk.toString();
    });
    socket.on('close', () => resolve(answer));
    socket.on('error', reject);
  });
}

function rawRequest(port: string, method: string, path: string): Promise<{ status: number }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode ?? 0 }));
    });
    req.on('error', reject);
    req.end();
  });
}
