import { CoxswainError } from '../../errors.ts';
import { ApiException } from './api-exception.ts';

/** What was being attempted, in the words a person would use: `list` `pods` in `prod`. */
type Attempt = { verb: string; resource: string; namespace?: string; name?: string };

/**
 * A Kubernetes API failure as a person can act on it. Only the HTTP status, the API's reason
 * and its message are kept: never the response headers, which can carry tokens.
 */
export class KubernetesError extends CoxswainError {
  readonly status: number | undefined;
  readonly reason: string | undefined;

  constructor(message: string, status: number | undefined, reason: string | undefined) {
    super('kubernetes_api', message);
    this.name = 'KubernetesError';
    this.status = status;
    this.reason = reason;
  }
}

const NETWORK_CODES = [
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ETIMEDOUT',
  'ECONNRESET',
  'EHOSTUNREACH',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_SOCKET',
];

export function wrapKubernetesError(error: unknown, attempt: Attempt): KubernetesError {
  if (error instanceof KubernetesError) return error;
  const where =
    attempt.namespace === undefined ? 'at cluster scope' : `in namespace ${attempt.namespace}`;
  const target =
    attempt.name === undefined ? attempt.resource : `${attempt.resource} ${attempt.name}`;
  if (error instanceof ApiException) {
    const status = statusOf(error.body);
    const reason = status.reason;
    const detail = status.message ?? '';
    const code = error.code;
    const say = (message: string) => new KubernetesError(message, code, reason);
    if (code === 401)
      return say(
        "unauthorized: the cluster refused the bot's credentials (expired token or wrong kubeconfig user)",
      );
    if (code === 403)
      return say(
        `forbidden: the bot's service account cannot ${attempt.verb} ${attempt.resource} ${where}`,
      );
    if (code === 404) return say(`not found: ${target} does not exist ${where}`);
    if (code === 409 && reason === 'AlreadyExists')
      return say(`already exists: ${target} ${where}`);
    if (code === 409)
      return say(`conflict: ${target} changed since it was read ${where}; read it again`);
    if (code === 422)
      return say(`invalid: the API server refused the change to ${target}: ${detail}`);
    if (code === 429) return say('the API server is throttling requests; try again shortly');
    if (code >= 500)
      return say(`the API server failed to ${attempt.verb} ${target} (${code}): ${detail}`);
    return say(`${attempt.verb} ${target} ${where} failed (${code}): ${detail}`);
  }
  if (timedOut(error)) {
    return new KubernetesError(
      `the Kubernetes API server did not answer in time to ${attempt.verb} ${target} ${where}; it may be overloaded or unreachable`,
      undefined,
      undefined,
    );
  }
  const network = networkCode(error);
  if (network !== undefined) {
    return new KubernetesError(
      `cannot reach the Kubernetes API server (${network}); check the cluster address and the network`,
      undefined,
      undefined,
    );
  }
  return new KubernetesError(
    `${attempt.verb} ${target} ${where} failed: ${error instanceof Error ? error.message : String(error)}`,
    undefined,
    undefined,
  );
}

/** A write refused by RBAC, as the permission that is missing: `patch` `deployments.apps` in `shop`. */
type WriteAttempt = { verb: string; group: string; resource: string; namespace?: string };

/**
 * A write sent as the cluster's `writeAs` user that the API server refused (403), saying which
 * identity lacked which permission, or that the credentials may not impersonate it at all;
 * undefined for any other failure, which `wrapKubernetesError` words.
 */
export function writeRefusal(
  error: unknown,
  writeAs: string,
  attempt: WriteAttempt,
): KubernetesError | undefined {
  if (!(error instanceof ApiException) || error.code !== 403) return undefined;
  const status = statusOf(error.body);
  if (/cannot impersonate/.test(status.message ?? ''))
    return new KubernetesError(
      `forbidden: the worker's own credentials may not impersonate ${writeAs}, the user this cluster writes as (writeAs); grant them the impersonate verb on that user`,
      403,
      status.reason,
    );
  const resource = attempt.group === '' ? attempt.resource : `${attempt.resource}.${attempt.group}`;
  const where =
    attempt.namespace === undefined ? 'at cluster scope' : `in namespace ${attempt.namespace}`;
  return new KubernetesError(
    `forbidden: writes go as ${writeAs}, which may not ${attempt.verb} ${resource} ${where}; grant it there (coxswain rbac prints the roles the bindings need)`,
    403,
    status.reason,
  );
}

function statusOf(body: unknown): { reason?: string; message?: string } {
  let value = body;
  if (typeof body === 'string') {
    try {
      value = JSON.parse(body);
    } catch {
      return { message: body.slice(0, 300) };
    }
  }
  if (typeof value !== 'object' || value === null) return {};
  const record = value as Record<string, unknown>;
  const out: { reason?: string; message?: string } = {};
  if (typeof record.reason === 'string') out.reason = record.reason;
  if (typeof record.message === 'string') out.message = record.message;
  return out;
}

/** The call's deadline (an `AbortSignal.timeout`) passed. */
function timedOut(error: unknown): boolean {
  for (
    let current = error, depth = 0;
    current instanceof Error && depth < 5;
    current = current.cause, depth++
  ) {
    if (current.name === 'TimeoutError') return true;
  }
  return false;
}

function networkCode(error: unknown): string | undefined {
  for (
    let current = error, depth = 0;
    current instanceof Error && depth < 5;
    current = current.cause, depth++
  ) {
    const code = (current as NodeJS.ErrnoException).code;
    if (typeof code === 'string' && NETWORK_CODES.includes(code)) return code;
  }
  return undefined;
}
