import { type Call, readBody } from '../request.ts';
import { methodNotAllowed, sendJson } from '../respond.ts';
import { ApiError } from '../store.ts';
import { DEFAULT_AUDIENCE, type TokenIssuer } from './tokens.ts';

/**
 * `serviceaccounts/token` (`kubectl create token`): a token for the ServiceAccount, valid for
 * the seconds asked (an hour by default, at least ten minutes), that this API server then
 * authenticates as `system:serviceaccount:NAMESPACE:NAME` until it expires or the account goes.
 */
const DEFAULT_SECONDS = 3600;
const MIN_SECONDS = 600;
const MAX_SECONDS = 2 ** 32;

type TokenRequest = {
  metadata?: Record<string, unknown>;
  spec?: {
    audiences?: string[] | null;
    expirationSeconds?: number | null;
    boundObjectRef?: unknown;
  };
};

export async function serveTokenRequest(call: Call, method: string, issuer: TokenIssuer) {
  if (method !== 'POST') throw methodNotAllowed();
  const { target, store } = call;
  const account = store.mustGet(target.type, target.namespace, target.name ?? '');
  const body = ((await readBody(call.req, true)) ?? {}) as TokenRequest;
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
    spec: {
      audiences,
      expirationSeconds: seconds,
      boundObjectRef: body.spec?.boundObjectRef ?? null,
    },
    status: {
      token,
      expirationTimestamp: new Date(expiresAt).toISOString().replace(/\.\d+Z$/, 'Z'),
    },
  });
}
