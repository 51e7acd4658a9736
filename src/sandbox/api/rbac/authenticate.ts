import type { IncomingHttpHeaders } from 'node:http';
import { ApiError } from '../store.ts';
import { serviceAccountUser, type UserInfo } from './rules.ts';
import type { TokenClaims } from './tokens.ts';

/**
 * Who a request comes from. Without credentials it is the kubeconfig's user, an administrator
 * (in `system:masters`, as kind's and kubeadm's admin user is); with a bearer token, the
 * ServiceAccount the sandbox issued it to; an unknown or expired token is refused with 401.
 * Impersonation headers (`kubectl --as`, `--as-group`) then name the user the request acts as.
 */
export const ADMIN: UserInfo = {
  name: 'kubernetes-admin',
  groups: ['system:masters', 'system:authenticated'],
};

/** `system:masters` is the API server's superuser group: RBAC is not consulted for it. */
export function isSuperuser(user: UserInfo): boolean {
  return user.groups.includes('system:masters');
}

/** The requester: who they are, and whether that is the kubeconfig's own user. */
export type Requester = { user: UserInfo; kubeconfigUser: boolean };

export function authenticate(
  headers: IncomingHttpHeaders,
  verify: (token: string) => TokenClaims | undefined,
): Requester {
  const header = headers.authorization;
  if (header === undefined) return { user: ADMIN, kubeconfigUser: true };
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  const claims = match?.[1] === undefined ? undefined : verify(match[1]);
  if (claims === undefined) throw new ApiError(401, 'Unauthorized', 'Unauthorized');
  return {
    user: {
      name: serviceAccountUser(claims.namespace, claims.name),
      uid: claims.uid,
      groups: serviceAccountGroups(claims.namespace),
    },
    kubeconfigUser: false,
  };
}

export function serviceAccountGroups(namespace: string): string[] {
  return ['system:serviceaccounts', `system:serviceaccounts:${namespace}`, 'system:authenticated'];
}

/** What the impersonation headers ask to act as, when they ask at all. */
export type Impersonation = {
  user: string;
  groups: string[];
  uid?: string;
  /** `Impersonate-Extra-KEY` headers, by key (lowercased and percent-decoded), in order. */
  extra: Record<string, string[]>;
};

const EXTRA_PREFIX = 'impersonate-extra-';

export function impersonationOf(headers: IncomingHttpHeaders): Impersonation | undefined {
  // An empty Impersonate-User asks nothing, as the filter reads only a non-empty one.
  const user = single(headers['impersonate-user']) || undefined;
  const groups = list(headers['impersonate-group']);
  const uid = single(headers['impersonate-uid']);
  const extra = extrasOf(headers);
  if (user === undefined) {
    if (groups.length > 0 || uid !== undefined || Object.keys(extra).length > 0)
      throw new ApiError(
        500,
        'InternalError',
        'Internal error occurred: requested impersonation of groups, extras or a uid without impersonating a user',
      );
    return undefined;
  }
  return { user, groups, ...(uid === undefined ? {} : { uid }), extra };
}

/**
 * Node has lowercased the header names; the key is what follows the prefix, percent-decoded.
 * Node joins a repeated header's values with ", ", which is split back here.
 */
function extrasOf(headers: IncomingHttpHeaders): Record<string, string[]> {
  const extra: Record<string, string[]> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (!name.startsWith(EXTRA_PREFIX) || value === undefined) continue;
    const key = unescapeKey(name.slice(EXTRA_PREFIX.length));
    const values = (Array.isArray(value) ? value : [value]).flatMap((v) => v.split(', '));
    extra[key] = [...(extra[key] ?? []), ...values];
  }
  return extra;
}

function unescapeKey(key: string): string {
  try {
    return decodeURIComponent(key);
  } catch {
    return key;
  }
}

/** The user a permitted impersonation acts as, with the groups the API server adds. */
export function impersonatedUser(asked: Impersonation): UserInfo {
  const groups = [...asked.groups];
  const account = /^system:serviceaccount:([^:]+):([^:]+)$/.exec(asked.user);
  if (account !== undefined && account !== null && groups.length === 0)
    groups.push(...serviceAccountGroups(account[1] ?? '').slice(0, 2));
  const anonymous = asked.user === 'system:anonymous';
  const implied = anonymous ? 'system:unauthenticated' : 'system:authenticated';
  if (!groups.includes(implied)) groups.push(implied);
  return {
    name: asked.user,
    groups,
    ...(asked.uid === undefined ? {} : { uid: asked.uid }),
    ...(Object.keys(asked.extra).length === 0 ? {} : { extra: asked.extra }),
  };
}

function single(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/** Node joins repeated headers with ", "; a group name has no comma in it. */
function list(value: string | string[] | undefined): string[] {
  if (value === undefined) return [];
  const all = Array.isArray(value) ? value : [value];
  return all.flatMap((v) => v.split(',').map((g) => g.trim())).filter((g) => g !== '');
}
