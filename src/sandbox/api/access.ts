import type { IncomingMessage, ServerResponse } from 'node:http';
import { isSuperuser, type Requester } from './rbac/authenticate.ts';
import {
  type Attributes,
  authorize,
  type Decision,
  type Policy,
  type PolicyRule,
  rulesFor,
  type UserInfo,
} from './rbac/rules.ts';
import { isWatch, readBody, type Target } from './request.ts';
import { methodNotAllowed, sendJson } from './respond.ts';
import { ApiError, resourceName } from './store.ts';

/**
 * Who may do what. The kubeconfig's user is an administrator (`system:masters` skips RBAC, as
 * on a real cluster), except for the sandbox's deny rules, which stand for the product's own
 * identity being refused and answer 403 as RBAC would. Everyone else (a ServiceAccount token,
 * an impersonated user) is decided by the Roles and bindings stored in the sandbox.
 */

/** As an RBAC rule reads: `group` is the API group ('' for core, the default). */
export type DenyRule = { verb: string; resource: string; group?: string; namespace?: string };

export type Access = { deny: DenyRule[]; policy: Policy };

/** The user deny rules name in their refusals: the product's ServiceAccount. */
const DENIED_USER = 'system:serviceaccount:coxswain:coxswain';
const WRITE_VERBS: Record<string, string> = {
  POST: 'create',
  PUT: 'update',
  PATCH: 'patch',
  DELETE: 'delete',
};

function denied(rules: DenyRule[], attrs: Attributes): boolean {
  const resource =
    attrs.subresource === undefined ? attrs.resource : `${attrs.resource}/${attrs.subresource}`;
  return rules.some(
    (rule) =>
      (rule.group ?? '') === (attrs.group ?? '') &&
      (rule.verb === '*' || rule.verb === attrs.verb) &&
      (rule.resource === resource || rule.resource === attrs.resource) &&
      (rule.namespace === undefined || rule.namespace === attrs.namespace),
  );
}

/** The decision for one requester and request, whoever asks. */
export function decide(access: Access, requester: Requester, attrs: Attributes): Decision {
  if (requester.kubeconfigUser && attrs.resource !== undefined && denied(access.deny, attrs))
    return { allowed: false, reason: '' };
  if (isSuperuser(requester.user)) return { allowed: true, reason: '' };
  return authorize(access.policy, requester.user, attrs);
}

export function attributesOf(method: string, target: Target, url: URL): Attributes {
  return {
    verb: verbOf(method, target, url),
    group: target.type.group,
    resource: target.type.plural,
    ...(target.sub === undefined ? {} : { subresource: target.sub }),
    ...(target.name === undefined ? {} : { name: target.name }),
    ...(target.namespace === undefined ? {} : { namespace: target.namespace }),
  };
}

function verbOf(method: string, target: Target, url: URL): string {
  if (method === 'DELETE' && target.name === undefined) return 'deletecollection';
  if (method !== 'GET') return WRITE_VERBS[method] ?? method.toLowerCase();
  if (target.name !== undefined) return 'get';
  return isWatch(url.searchParams) ? 'watch' : 'list';
}

/** Throws the API server's 403 when the requester may not make a resource request. */
export function authorise(
  access: Access,
  requester: Requester,
  method: string,
  target: Target,
  url: URL,
): void {
  const attrs = attributesOf(method, target, url);
  const decision = decide(access, requester, attrs);
  if (decision.allowed) return;
  const name = requester.kubeconfigUser ? DENIED_USER : requester.user.name;
  const subject = `${resourceName(target.type)}${target.name ? ` "${target.name}"` : ''}`;
  throw forbidden(subject, name, attrs);
}

/** The same for a path outside the API's resources (discovery, OpenAPI, health). */
export function authorisePath(access: Access, requester: Requester, method: string, path: string) {
  const attrs: Attributes = { verb: method.toLowerCase(), path };
  if (decide(access, requester, attrs).allowed) return;
  throw new ApiError(
    403,
    'Forbidden',
    `forbidden: User "${requester.user.name}" cannot ${attrs.verb} path "${path}"`,
    {},
  );
}

/** The 403 of a refused resource request, in the RBAC authorizer's words. */
export function forbidden(subject: string, user: string, attrs: Attributes): ApiError {
  const resource =
    attrs.subresource === undefined ? attrs.resource : `${attrs.resource}/${attrs.subresource}`;
  const where =
    attrs.namespace === undefined
      ? 'at the cluster scope'
      : `in the namespace "${attrs.namespace}"`;
  return new ApiError(
    403,
    'Forbidden',
    `${subject} is forbidden: User "${user}" cannot ${attrs.verb} resource "${resource}" in API group "${attrs.group ?? ''}" ${where}`,
    {
      ...(attrs.name === undefined ? {} : { name: attrs.name }),
      ...(attrs.group ? { group: attrs.group } : {}),
      kind: attrs.resource,
    },
  );
}

type ReviewSpec = {
  resourceAttributes?: Attributes & { version?: string };
  nonResourceAttributes?: { path?: string; verb?: string };
  user?: string;
  uid?: string;
  groups?: string[];
};

function attributesOfReview(spec: ReviewSpec | undefined, namespace?: string): Attributes {
  const resource = spec?.resourceAttributes;
  if (resource !== undefined) {
    const { version: _, ...attrs } = resource;
    return namespace === undefined ? attrs : { ...attrs, namespace };
  }
  const path = spec?.nonResourceAttributes;
  return { verb: path?.verb ?? '', path: path?.path ?? '' };
}

/**
 * A SelfSubjectAccessReview (`kubectl auth can-i`), for the requester (the impersonated user
 * with `--as`); a SubjectAccessReview or LocalSubjectAccessReview, for the user its spec names.
 */
export async function serveAccessReview(
  access: Access,
  requester: Requester,
  method: string,
  target: Target,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  if (method !== 'POST') throw methodNotAllowed();
  const body = (await readBody(req)) as { spec?: ReviewSpec };
  const kind = target.type.kind;
  const who = kind === 'SelfSubjectAccessReview' ? requester : subjectOf(body.spec);
  const attrs = attributesOfReview(
    body.spec,
    kind === 'LocalSubjectAccessReview' ? target.namespace : undefined,
  );
  const decision = decide(access, who, attrs);
  // RBAC gives no reason for a denial; kubectl then prints a bare "no", as here.
  sendJson(res, 201, {
    ...body,
    status: { allowed: decision.allowed, ...(decision.reason ? { reason: decision.reason } : {}) },
  });
}

function subjectOf(spec: ReviewSpec | undefined): Requester {
  if (spec?.user === undefined && (spec?.groups ?? []).length === 0)
    throw new ApiError(
      422,
      'Invalid',
      'SubjectAccessReview.authorization.k8s.io "" is invalid: spec.user: Invalid value: "": at least one of user or group must be specified',
    );
  const user: UserInfo = { name: spec?.user ?? '', groups: spec?.groups ?? [] };
  return { user, kubeconfigUser: false };
}

/**
 * A SelfSubjectRulesReview (`kubectl auth can-i --list`). The administrator may do anything;
 * deny rules, which RBAC's allow-only rules cannot say, mark the list incomplete as the API
 * server marks one it could not fully evaluate. Anyone else gets the rules bound to them.
 */
export async function serveRulesReview(
  access: Access,
  requester: Requester,
  method: string,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  if (method !== 'POST') throw methodNotAllowed();
  const body = (await readBody(req)) as { spec?: { namespace?: string } };
  const namespace = body.spec?.namespace ?? '';
  if (!isSuperuser(requester.user)) {
    const rules = rulesFor(access.policy, requester.user, namespace);
    sendJson(res, 201, { ...body, status: { ...reviewRules(rules), incomplete: false } });
    return;
  }
  const denies =
    requester.kubeconfigUser &&
    access.deny.some((r) => r.namespace === undefined || r.namespace === namespace);
  sendJson(res, 201, {
    ...body,
    status: {
      resourceRules: [{ verbs: ['*'], apiGroups: ['*'], resources: ['*'] }],
      nonResourceRules: [{ verbs: ['*'], nonResourceURLs: ['*'] }],
      incomplete: denies,
      ...(denies ? { evaluationError: 'the sandbox refuses some requests by deny rules' } : {}),
    },
  });
}

function reviewRules(rules: PolicyRule[]) {
  return {
    resourceRules: rules
      .filter((r) => (r.resources ?? []).length > 0)
      .map((r) => ({
        verbs: r.verbs ?? [],
        apiGroups: r.apiGroups ?? [],
        resources: r.resources ?? [],
        ...(r.resourceNames === undefined ? {} : { resourceNames: r.resourceNames }),
      })),
    nonResourceRules: rules
      .filter((r) => (r.nonResourceURLs ?? []).length > 0)
      .map((r) => ({ verbs: r.verbs ?? [], nonResourceURLs: r.nonResourceURLs ?? [] })),
  };
}
