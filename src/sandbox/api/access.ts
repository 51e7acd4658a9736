import type { IncomingMessage, ServerResponse } from 'node:http';
import { isWatch, readBody, type Target } from './request.ts';
import { methodNotAllowed, sendJson } from './respond.ts';
import { ApiError, resourceName } from './store.ts';

/** The sandbox's stand-in for RBAC: deny rules refuse requests with 403, and access reviews answer from them. */

/** As an RBAC rule reads: `group` is the API group ('' for core, the default). */
export type DenyRule = { verb: string; resource: string; group?: string; namespace?: string };

const USER = 'system:serviceaccount:coxswain:coxswain';
const WRITE_VERBS: Record<string, string> = {
  POST: 'create',
  PUT: 'update',
  PATCH: 'patch',
  DELETE: 'delete',
};

function denied(
  rules: DenyRule[],
  verb: string,
  resource: string,
  namespace: string | undefined,
  group = '',
): boolean {
  return rules.some(
    (rule) =>
      (rule.group ?? '') === group &&
      (rule.verb === '*' || rule.verb === verb) &&
      (rule.resource === resource || rule.resource === resource.split('/')[0]) &&
      (rule.namespace === undefined || rule.namespace === namespace),
  );
}

function verbOf(method: string, target: Target, url: URL): string {
  if (method !== 'GET') return WRITE_VERBS[method] ?? method.toLowerCase();
  if (target.name !== undefined) return 'get';
  return isWatch(url.searchParams) ? 'watch' : 'list';
}

/** Throws the API server's 403 when a deny rule covers the request. */
export function authorise(rules: DenyRule[], method: string, target: Target, url: URL): void {
  const verb = verbOf(method, target, url);
  const resource =
    target.sub === undefined ? target.type.plural : `${target.type.plural}/${target.sub}`;
  if (!denied(rules, verb, resource, target.namespace, target.type.group)) return;
  const where =
    target.namespace === undefined
      ? 'at the cluster scope'
      : `in the namespace "${target.namespace}"`;
  throw new ApiError(
    403,
    'Forbidden',
    `${resourceName(target.type)}${target.name ? ` "${target.name}"` : ''} is forbidden: User "${USER}" cannot ${verb} resource "${resource}" in API group "${target.type.group}" ${where}`,
  );
}

/** A SelfSubjectAccessReview, answered from the same deny rules `authorise` applies. */
export async function serveAccessReview(
  rules: DenyRule[],
  method: string,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  if (method !== 'POST') throw methodNotAllowed();
  const body = (await readBody(req)) as { spec?: { resourceAttributes?: DenyRule } };
  const attrs = body.spec?.resourceAttributes;
  const allowed =
    attrs === undefined || !denied(rules, attrs.verb, attrs.resource, attrs.namespace, attrs.group);
  // RBAC gives no reason for a denial; kubectl then prints a bare "no", as here.
  sendJson(res, 201, { ...body, status: { allowed } });
}

/**
 * A SelfSubjectRulesReview (`kubectl auth can-i --list`): the sandbox's user may do anything but
 * what a deny rule refuses, which RBAC's allow-only rules cannot say, so then the list is
 * marked incomplete as the API server marks one it could not fully evaluate.
 */
export async function serveRulesReview(
  rules: DenyRule[],
  method: string,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  if (method !== 'POST') throw methodNotAllowed();
  const body = (await readBody(req)) as { spec?: { namespace?: string } };
  const namespace = body.spec?.namespace;
  const denies = rules.some((r) => r.namespace === undefined || r.namespace === namespace);
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
