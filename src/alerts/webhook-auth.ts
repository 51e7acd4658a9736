import { createHash, timingSafeEqual } from 'node:crypto';
import { CoxswainError } from '../errors.ts';

export type WebhookAuth = Readonly<{
  token: string | undefined;
  basic: Readonly<{ username: string; password: string }> | undefined;
  /** ALERTMANAGER_AUTH=none: no credentials, on purpose. */
  open: boolean;
}>;

/**
 * A process that serves the webhook refuses to start with it open by accident: anyone who can
 * reach the port could post alerts into the on-call channels and fill Redis.
 */
export function requireWebhookAuth(auth: WebhookAuth): void {
  if (auth.token !== undefined || auth.basic !== undefined || auth.open) return;
  throw new CoxswainError(
    'config_invalid',
    'the Alertmanager webhook has no credentials: set ALERTMANAGER_TOKEN (16+ characters), or ' +
      "ALERTMANAGER_USERNAME and ALERTMANAGER_PASSWORD, and the same in Alertmanager's " +
      'http_config; or set ALERTMANAGER_AUTH=none to leave it open on purpose',
  );
}

/**
 * Checks an Authorization header against what Alertmanager's `http_config` is set to send:
 * a bearer token, basic credentials, or either when both are configured. With neither, only a
 * webhook left open on purpose lets a request in. Every comparison takes the same time whatever
 * the input.
 */
export function isAuthorized(header: string | undefined, auth: WebhookAuth): boolean {
  if (auth.token === undefined && auth.basic === undefined) return auth.open;
  if (header === undefined) return false;
  const space = header.indexOf(' ');
  if (space < 0) return false;
  const scheme = header.slice(0, space).toLowerCase();
  const credentials = header.slice(space + 1).trim();
  if (scheme === 'bearer' && auth.token !== undefined) {
    return sameSecret(credentials, auth.token);
  }
  if (scheme === 'basic' && auth.basic !== undefined) {
    const decoded = Buffer.from(credentials, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon < 0) return false;
    const userOk = sameSecret(decoded.slice(0, colon), auth.basic.username);
    const passwordOk = sameSecret(decoded.slice(colon + 1), auth.basic.password);
    return userOk && passwordOk;
  }
  return false;
}

/** What a 401 tells the caller: which schemes to use, nothing about why the last try failed. */
export function challenge(auth: WebhookAuth): Record<string, string> {
  return auth.basic === undefined ? {} : { 'www-authenticate': 'Basic realm="coxswain"' };
}

/** Hashing first gives equal-length inputs, so neither content nor length leaks through timing. */
function sameSecret(given: string, expected: string): boolean {
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}
