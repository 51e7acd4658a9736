import type { IncomingHttpHeaders } from 'node:http';
import { type Access, decide, forbidden } from '../access.ts';
import { findResource, type ResourceType } from '../catalog.ts';
import type { KObject, ObjectStore } from '../store.ts';
import {
  authenticate,
  type Impersonation,
  impersonatedUser,
  impersonationOf,
  type Requester,
} from './authenticate.ts';
import type { Attributes } from './rules.ts';
import { DEFAULT_AUDIENCE, type TokenClaims, type TokenIssuer } from './tokens.ts';

/**
 * The requester a request acts as: authenticated, then, with impersonation headers, the user
 * they name, once the authenticated user is allowed to `impersonate` that user, each group and
 * the uid (as the API server's impersonation filter checks).
 */
const SERVICE_ACCOUNTS = findResource('', 'v1', 'serviceaccounts') as ResourceType;
const BOUND_TYPES = {
  Pod: findResource('', 'v1', 'pods') as ResourceType,
  Secret: findResource('', 'v1', 'secrets') as ResourceType,
  Node: findResource('', 'v1', 'nodes') as ResourceType,
};

export function authenticateRequest(
  access: Access,
  store: ObjectStore,
  issuer: TokenIssuer,
  headers: IncomingHttpHeaders,
): Requester {
  const requester = authenticate(headers, (token) => {
    const claims = issuer.verify(token, Date.now());
    return claims !== undefined && stillValid(store, claims) ? claims : undefined;
  });
  const asked = impersonationOf(headers);
  if (asked === undefined) return requester;
  for (const attrs of impersonationChecks(asked)) {
    if (decide(access, requester, attrs).allowed) continue;
    const resource = attrs.group ? `${attrs.resource}.${attrs.group}` : attrs.resource;
    throw forbidden(`${resource} "${attrs.name}"`, requester.user.name, attrs);
  }
  return { user: impersonatedUser(asked), kubeconfigUser: false };
}

/**
 * As the API server's token authenticator: the token must be meant for this API server (its
 * audiences include the server's), and outlive neither its account nor the object it is bound
 * to, nor a new object of the same name (another uid), nor one whose deletion began over a
 * minute ago.
 */
export function stillValid(store: ObjectStore, claims: TokenClaims): boolean {
  if (!claims.audiences.includes(DEFAULT_AUDIENCE)) return false;
  const account = store.peek(SERVICE_ACCOUNTS, claims.namespace, claims.name);
  if (!live(account, claims.uid)) return false;
  const bound = claims.bound;
  if (bound === undefined) return true;
  const type = BOUND_TYPES[bound.kind];
  const namespace = type.namespaced ? claims.namespace : undefined;
  return live(store.peek(type, namespace, bound.name), bound.uid);
}

/** The JWT library's leeway: an object whose deletion began longer ago than this is gone. */
const LEEWAY_MS = 60_000;

function live(object: KObject | undefined, uid: string): boolean {
  if (object === undefined || object.metadata.uid !== uid) return false;
  const deleting = object.metadata.deletionTimestamp;
  return deleting === undefined || Date.parse(deleting) >= Date.now() - LEEWAY_MS;
}

function impersonationChecks(asked: Impersonation): Attributes[] {
  const checks: Attributes[] = [];
  const account = /^system:serviceaccount:([^:]+):([^:]+)$/.exec(asked.user);
  if (account !== null)
    checks.push({
      verb: 'impersonate',
      group: '',
      resource: 'serviceaccounts',
      namespace: account[1] ?? '',
      name: account[2] ?? '',
    });
  else checks.push({ verb: 'impersonate', group: '', resource: 'users', name: asked.user });
  for (const group of asked.groups)
    checks.push({ verb: 'impersonate', group: '', resource: 'groups', name: group });
  // Each extra value is its own check, on `userextras/KEY`.
  for (const [key, values] of Object.entries(asked.extra))
    for (const value of values)
      checks.push({
        verb: 'impersonate',
        group: 'authentication.k8s.io',
        resource: 'userextras',
        subresource: key,
        name: value,
      });
  if (asked.uid !== undefined)
    checks.push({
      verb: 'impersonate',
      group: 'authentication.k8s.io',
      resource: 'uids',
      name: asked.uid,
    });
  return checks;
}
