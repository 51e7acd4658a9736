import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../src/runtime/embedded-redis.ts';
import { wrapKubernetesError } from '../../src/tools/kubernetes/errors.ts';

/** An API server that answers every request with the Status the test path names. */
let server: Server;
let url: string;

beforeAll(async () => {
  server = createServer((req, res) => {
    const code = Number(/status-(\d{3})/.exec(req.url ?? '')?.[1] ?? 500);
    const reason =
      { 403: 'Forbidden', 404: 'NotFound', 409: 'Conflict', 422: 'Invalid' }[code] ??
      'InternalError';
    res.writeHead(code, {
      'content-type': 'application/json',
      'www-authenticate': 'Bearer token-in-a-header',
    });
    res.end(
      JSON.stringify({
        kind: 'Status',
        apiVersion: 'v1',
        status: 'Failure',
        reason,
        code,
        message: `${reason} from the API server`,
      }),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
});

function client(server: string): CoreV1Api {
  const config = new KubeConfig();
  config.loadFromOptions({
    clusters: [{ name: 'test', server, skipTLSVerify: true }],
    users: [{ name: 'bot', token: 'sa-token-value' }],
    contexts: [{ name: 'test', cluster: 'test', user: 'bot' }],
    currentContext: 'test',
  });
  return config.makeApiClient(CoreV1Api);
}

/** What listing pods throws, against `server` (the local API server unless told otherwise). */
async function failure(namespace: string, server = url): Promise<unknown> {
  try {
    await client(server).listNamespacedPod({ namespace });
  } catch (error) {
    return error;
  }
  throw new Error('expected the call to fail');
}

describe('wrapKubernetesError, with the real client against a local API server', () => {
  it('says who may not do what where on 403', async () => {
    const wrapped = wrapKubernetesError(await failure('status-403'), {
      verb: 'list',
      resource: 'pods',
      namespace: 'prod',
    });

    expect(wrapped.message).toBe(
      "forbidden: the bot's service account cannot list pods in namespace prod",
    );
    expect(wrapped.status).toBe(403);
    expect(wrapped.reason).toBe('Forbidden');
  });

  it('names the missing object on 404', async () => {
    const wrapped = wrapKubernetesError(await failure('status-404'), {
      verb: 'get',
      resource: 'deployment',
      name: 'checkout',
      namespace: 'shop',
    });

    expect(wrapped.message).toBe('not found: deployment checkout does not exist in namespace shop');
  });

  it('turns a conflict into "changed since it was read"', async () => {
    const wrapped = wrapKubernetesError(await failure('status-409'), {
      verb: 'patch',
      resource: 'deployment',
      name: 'checkout',
      namespace: 'shop',
    });

    expect(wrapped.message).toBe(
      'conflict: deployment checkout changed since it was read in namespace shop; read it again',
    );
  });

  it('keeps neither headers nor credentials', async () => {
    const wrapped = wrapKubernetesError(await failure('status-500'), {
      verb: 'list',
      resource: 'pods',
      namespace: 'x',
    });

    expect(wrapped.message).toBe(
      'the API server failed to list pods (500): InternalError from the API server',
    );
    expect(JSON.stringify({ ...wrapped, message: wrapped.message })).not.toMatch(
      /token-in-a-header|sa-token-value/,
    );
  });

  it('says the API server cannot be reached', async () => {
    const error = await failure('prod', `http://127.0.0.1:${await freePort()}`);

    const wrapped = wrapKubernetesError(error, {
      verb: 'list',
      resource: 'pods',
      namespace: 'prod',
    });

    expect(wrapped.message).toBe(
      'cannot reach the Kubernetes API server (ECONNREFUSED); check the cluster address and the network',
    );
  });
});
