import { describe, expect, it } from 'vitest';
import { jsonExchange } from '../../../../test/support/http-exchange.ts';
import { findResource, type ResourceType } from '../catalog.ts';
import type { Call } from '../request.ts';
import { ObjectStore } from '../store.ts';
import { serveTokenRequest } from './token-request.ts';
import { TokenIssuer } from './tokens.ts';

const ACCOUNTS = findResource('', 'v1', 'serviceaccounts') as ResourceType;
const PODS = findResource('', 'v1', 'pods') as ResourceType;

/** Asks for a token for ops/bot with `spec`; the answer's status and body. */
async function requestToken(store: ObjectStore, issuer: TokenIssuer, spec: unknown) {
  const { req, res, sent } = jsonExchange<{ status?: { token?: string } }>({ spec });
  const call: Call = {
    store,
    req,
    res,
    target: { type: ACCOUNTS, namespace: 'ops', name: 'bot', sub: 'token' },
    query: new URLSearchParams(),
    dryRun: false,
    fieldManager: undefined,
  };
  await serveTokenRequest(call, 'POST', issuer);
  return sent;
}

function world() {
  const store = new ObjectStore();
  store.create(ACCOUNTS, {
    apiVersion: 'v1',
    kind: 'ServiceAccount',
    metadata: { name: 'bot', namespace: 'ops' },
  });
  const pod = store.create(PODS, {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'web', namespace: 'ops' },
    spec: { serviceAccountName: 'bot', containers: [{ name: 'c', image: 'nginx' }] },
  });
  return { store, pod, issuer: new TokenIssuer() };
}

const podRef = (name: string, uid?: string) => ({
  boundObjectRef: { kind: 'Pod', apiVersion: 'v1', name, ...(uid === undefined ? {} : { uid }) },
});

describe('serveTokenRequest', () => {
  it('binds a token to a Pod that exists, naming it in the claims', async () => {
    const { store, pod, issuer } = world();

    const sent = await requestToken(store, issuer, podRef('web', pod.metadata.uid));
    const claims = issuer.verify(sent.body?.status?.token ?? '', Date.now());

    expect(sent.status).toBe(201);
    expect(claims?.bound).toEqual({ kind: 'Pod', name: 'web', uid: pod.metadata.uid });
  });

  it('refuses to bind to an object that does not exist (404) or was made again (409)', async () => {
    const { store, issuer } = world();

    await expect(requestToken(store, issuer, podRef('ghost'))).rejects.toMatchObject({
      status: 404,
      message: 'pods "ghost" not found',
    });
    await expect(requestToken(store, issuer, podRef('web', 'old-uid'))).rejects.toMatchObject({
      status: 409,
      message:
        'Operation cannot be fulfilled on Pod "web": the UID in the bound object reference (old-uid) does not match the UID in record. The object might have been deleted and then recreated',
    });
  });

  it('refuses a kind that cannot be bound, and a wrongly typed body', async () => {
    const { store, issuer } = world();
    const configMap = { boundObjectRef: { kind: 'ConfigMap', apiVersion: 'v1', name: 'x' } };

    await expect(requestToken(store, issuer, configMap)).rejects.toMatchObject({
      status: 400,
      message: 'cannot bind token to object of type /v1, Kind=ConfigMap',
    });
    await expect(requestToken(store, issuer, { expirationSeconds: 'abc' })).rejects.toMatchObject({
      status: 400,
    });
  });
});
