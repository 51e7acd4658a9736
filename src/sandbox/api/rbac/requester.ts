import type { IncomingHttpHeaders } from 'node:http';
import { type Access, decide, forbidden } from '../access.ts';
import { findResource, type ResourceType } from '../catalog.ts';
import type { ObjectStore } from '../store.ts';
import {
  authenticate,
  type Impersonation,
  impersonatedUser,
  impersonationOf,
  type Requester,
} from './authenticate.ts';
import type { Attributes } from './rules.ts';
import type { TokenIssuer } from './tokens.ts';

/**
 * The requester a request acts as: authenticated, then, with impersonation headers, the user
 * they name, once the authenticated user is allowed to `impersonate` that user, each group and
 * the uid (as the API server's impersonation filter checks).
 */
const SERVICE_ACCOUNTS = findResource('', 'v1', 'serviceaccounts') as ResourceType;

export function authenticateRequest(
  access: Access,
  store: ObjectStore,
  issuer: TokenIssuer,
  headers: IncomingHttpHeaders,
): Requester {
  const requester = authenticate(headers, (token) => {
    const claims = issuer.verify(token, Date.now());
    if (claims === undefined) return undefined;
    // A token outlives neither its account nor a new account of the same name.
    const account = store.peek(SERVICE_ACCOUNTS, claims.namespace, claims.name);
    return account?.metadata.uid === claims.uid ? claims : undefined;
  });
  const asked = impersonationOf(headers);
  if (asked === undefined) return requester;
  for (const attrs of impersonationChecks(asked)) {
    if (decide(access, requester, attrs).allowed) continue;
    const subject = `${attrs.resource} "${attrs.name}"`;
    throw forbidden(subject, requester.user.name, attrs);
  }
  return { user: impersonatedUser(asked), kubeconfigUser: false };
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
  if (asked.uid !== undefined)
    checks.push({
      verb: 'impersonate',
      group: 'authentication.k8s.io',
      resource: 'uids',
      name: asked.uid,
    });
  return checks;
}
