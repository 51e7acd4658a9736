import type { IncomingMessage, ServerResponse } from 'node:http';
import { isSuperuser, type Requester } from './rbac/authenticate.ts';
import { decodeReview } from './rbac/review-schemas.ts';
import {
  type Attributes,
  authorize,
  type Decision,
  type Policy,
  type PolicyRule,
  rulesFor,
  type UserInfo,
} from './rbac/rules.ts';
import { selectedName } from './rbac/selected-name.ts';
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
  const verb = verbOf(method, target, url);
  const listed = verb === 'list' || verb === 'watch';
  const name = listed ? selectedName(url.searchParams.get('fieldSelector')) : target.name;
  return {
    verb,
    group: target.type.group,
    resource: target.type.plural,
    ...(target.sub === undefined ? {} : { subresource: target.sub }),
    ...(name === undefined ? {} : { name }),
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

type ResourceAttributes = Omit<Attributes, 'path'> & {
  version?: string;
  fieldSelector?: unknown;
  labelSelector?: unknown;
};
type NonResourceAttributes = { path?: string; verb?: string };
type ReviewSpec = {
  resourceAttributes?: ResourceAttributes;
  nonResourceAttributes?: NonResourceAttributes;
  user?: string;
  uid?: string;
  groups?: string[];
  extra?: Record<string, string[]>;
};
type Review = { metadata?: { namespace?: string }; spec?: ReviewSpec };
type ReviewKind = 'SubjectAccessReview' | 'LocalSubjectAccessReview' | 'SelfSubjectAccessReview';

function attributesOfReview(spec: ReviewSpec): Attributes {
  const resource = spec.resourceAttributes;
  if (resource !== undefined) {
    const { version: _v, fieldSelector: _f, labelSelector: _l, ...attrs } = resource;
    return { ...attrs, verb: attrs.verb ?? '' };
  }
  const path = spec.nonResourceAttributes;
  return { verb: path?.verb ?? '', path: path?.path ?? '' };
}

/**
 * A SelfSubjectAccessReview (`kubectl auth can-i`), for the requester (the impersonated user
 * with `--as`); a SubjectAccessReview or LocalSubjectAccessReview, for the user its spec names.
 * The body is decoded as typed (a string where a list belongs is a 400) and validated as the
 * API server's review storage does before anything is decided.
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
  const kind = target.type.kind as ReviewKind;
  const query = new URL(req.url ?? '/', 'http://sandbox').searchParams;
  const body = decodeReview(kind, await readBody(req), { query, res }) as Review;
  if (kind === 'LocalSubjectAccessReview') body.metadata = namespaced(body, target.namespace);
  const spec = body.spec ?? {};
  const problems = reviewProblems(kind, body);
  if (problems.length > 0) throw invalidReview(problems);
  const who = kind === 'SelfSubjectAccessReview' ? requester : subjectOf(spec);
  const decision = decide(access, who, attributesOfReview(spec));
  // RBAC gives no reason for a denial; kubectl then prints a bare "no", as here.
  sendJson(res, 201, {
    ...body,
    status: { allowed: decision.allowed, ...(decision.reason ? { reason: decision.reason } : {}) },
  });
}

/** A namespaced body takes the request's namespace, and may not name another. */
function namespaced(review: Review, namespace: string | undefined): { namespace?: string } {
  const own = review.metadata?.namespace;
  if (own && namespace !== undefined && own !== namespace)
    throw new ApiError(
      400,
      'BadRequest',
      'the namespace of the provided object does not match the namespace sent on the request',
    );
  return { ...review.metadata, namespace: own || namespace || '' };
}

/** The review validation's field errors, in its order. */
function reviewProblems(kind: ReviewKind, review: Review): string[] {
  const spec = review.spec ?? {};
  const problems: string[] = [];
  const resource = spec.resourceAttributes;
  const nonResource = spec.nonResourceAttributes;
  if (resource !== undefined && nonResource !== undefined)
    problems.push(
      `spec.nonResourceAttributes: Invalid value: ${goNonResource(nonResource)}: cannot be specified in combination with resourceAttributes`,
    );
  if (resource === undefined && nonResource === undefined)
    problems.push(
      'spec.resourceAttributes: Invalid value: "null": exactly one of nonResourceAttributes or resourceAttributes must be specified',
    );
  if (kind !== 'SelfSubjectAccessReview' && !spec.user && (spec.groups ?? []).length === 0)
    problems.push(
      `spec.user: Invalid value: ${JSON.stringify(spec.user ?? '')}: at least one of user or group must be specified`,
    );
  if (kind !== 'LocalSubjectAccessReview') return problems;
  const namespace = review.metadata?.namespace ?? '';
  if (resource !== undefined && (resource.namespace ?? '') !== namespace)
    problems.push(
      `spec.resourceAttributes.namespace: Invalid value: ${JSON.stringify(resource.namespace ?? '')}: must match metadata.namespace`,
    );
  if (nonResource !== undefined)
    problems.push(
      `spec.nonResourceAttributes: Invalid value: ${goNonResource(nonResource)}: disallowed on this kind of request`,
    );
  return problems;
}

/** Go's `%#v` of the internal NonResourceAttributes the validation prints. */
function goNonResource(attrs: NonResourceAttributes): string {
  return `authorization.NonResourceAttributes{Path:${JSON.stringify(attrs.path ?? '')}, Verb:${JSON.stringify(attrs.verb ?? '')}}`;
}

/**
 * The review storage's 422. It names the kind from the decoded object's TypeMeta, which the
 * conversion to the internal version leaves empty: the message starts `.authorization.k8s.io`.
 */
function invalidReview(problems: string[]): ApiError {
  const joined = problems.length === 1 ? problems[0] : `[${problems.join(', ')}]`;
  return new ApiError(422, 'Invalid', `.authorization.k8s.io "" is invalid: ${joined}`, {
    group: 'authorization.k8s.io',
    causes: problems.map((p) => {
      const colon = p.indexOf(': ');
      return { reason: 'FieldValueInvalid', message: p.slice(colon + 2), field: p.slice(0, colon) };
    }),
  });
}

function subjectOf(spec: ReviewSpec): Requester {
  const user: UserInfo = {
    name: spec.user ?? '',
    groups: spec.groups ?? [],
    ...(spec.uid ? { uid: spec.uid } : {}),
    ...(spec.extra === undefined ? {} : { extra: spec.extra }),
  };
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
