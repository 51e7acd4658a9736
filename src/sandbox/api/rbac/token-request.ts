import { findResource, type ResourceType } from '../catalog.ts';
import { type Call, readBody } from '../request.ts';
import { methodNotAllowed, sendJson } from '../respond.ts';
import { ApiError, type KObject } from '../store.ts';
import { decodeReview } from './review-schemas.ts';
import { type BoundObject, DEFAULT_AUDIENCE, type TokenIssuer } from './tokens.ts';

/**
 * `serviceaccounts/token` (`kubectl create token`): a token for the ServiceAccount, valid for
 * the seconds asked (an hour by default, at least ten minutes), that this API server then
 * authenticates as `system:serviceaccount:NAMESPACE:NAME` until it expires or the account goes.
 * Bound to a Pod, Secret or Node (`--bound-object-kind`), it also ends with that object.
 */
const DEFAULT_SECONDS = 3600;
const MIN_SECONDS = 600;
const MAX_SECONDS = 2 ** 32;

type BoundRef = { kind?: string; apiVersion?: string; name?: string; uid?: string };
type TokenRequest = {
  spec?: { audiences?: string[]; expirationSeconds?: number; boundObjectRef?: BoundRef };
};

const BINDABLE: Record<string, ResourceType> = {
  Pod: findResource('', 'v1', 'pods') as ResourceType,
  Secret: findResource('', 'v1', 'secrets') as ResourceType,
  Node: findResource('', 'v1', 'nodes') as ResourceType,
};

export async function serveTokenRequest(call: Call, method: string, issuer: TokenIssuer) {
  if (method !== 'POST') throw methodNotAllowed();
  const { target, store } = call;
  const body = decodeReview('TokenRequest', await readBody(call.req, true), call) as TokenRequest;
  const account = store.mustGet(target.type, target.namespace, target.name ?? '');
  const seconds = body.spec?.expirationSeconds ?? DEFAULT_SECONDS;
  const problem =
    seconds < MIN_SECONDS
      ? 'may not specify a duration less than 10 minutes'
      : seconds > MAX_SECONDS
        ? 'may not specify a duration larger than 2^32 seconds'
        : undefined;
  if (problem !== undefined)
    throw new ApiError(
      422,
      'Invalid',
      `TokenRequest.authentication.k8s.io "${account.metadata.name}" is invalid: spec.expirationSeconds: Invalid value: ${seconds}: ${problem}`,
    );
  const ref = body.spec?.boundObjectRef;
  const bound = ref === undefined ? undefined : boundObject(call, account, ref);
  const audiences =
    body.spec?.audiences && body.spec.audiences.length > 0
      ? body.spec.audiences
      : [DEFAULT_AUDIENCE];
  const now = Date.now();
  const expiresAt = now + seconds * 1000;
  const token = issuer.issue(
    {
      namespace: account.metadata.namespace ?? '',
      name: account.metadata.name,
      uid: account.metadata.uid ?? '',
      audiences,
      expiresAt,
      ...(bound === undefined ? {} : { bound }),
    },
    now,
  );
  sendJson(call.res, 201, {
    kind: 'TokenRequest',
    apiVersion: 'authentication.k8s.io/v1',
    metadata: {
      name: account.metadata.name,
      namespace: account.metadata.namespace,
      creationTimestamp: null,
    },
    spec: { audiences, expirationSeconds: seconds, boundObjectRef: ref ?? null },
    status: {
      token,
      expirationTimestamp: new Date(expiresAt).toISOString().replace(/\.\d+Z$/, 'Z'),
    },
  });
}

/**
 * The object the token is to be bound to, as the API server's TokenRequest storage looks it
 * up: it must exist (404 otherwise), a Pod must run as the account, and a uid given must be
 * the object's (409: it was deleted and made again).
 */
function boundObject(call: Call, account: KObject, ref: BoundRef): BoundObject {
  const [group, version] = (ref.apiVersion ?? '').includes('/')
    ? (ref.apiVersion ?? '').split('/', 2)
    : ['', ref.apiVersion ?? ''];
  const kind = ref.kind ?? '';
  const type = group === '' ? BINDABLE[kind] : undefined;
  if (type === undefined)
    throw new ApiError(
      400,
      'BadRequest',
      `cannot bind token to object of type ${group}/${version}, Kind=${kind}`,
    );
  const name = ref.name ?? '';
  const namespace = type.namespaced ? call.target.namespace : undefined;
  const object = call.store.mustGet(type, namespace, name);
  const accountName = account.metadata.name;
  const spec = object.spec as { serviceAccountName?: string } | undefined;
  if (kind === 'Pod' && spec?.serviceAccountName !== accountName)
    throw new ApiError(
      400,
      'BadRequest',
      `cannot bind token for serviceaccount "${accountName}" to pod running with different serviceaccount name.`,
    );
  const uid = object.metadata.uid ?? '';
  if (ref.uid && ref.uid !== uid)
    throw new ApiError(
      409,
      'Conflict',
      `Operation cannot be fulfilled on ${kind} "${name}": the UID in the bound object reference (${ref.uid}) does not match the UID in record. The object might have been deleted and then recreated`,
      { name, kind },
    );
  return { kind: kind as BoundObject['kind'], name, uid };
}
