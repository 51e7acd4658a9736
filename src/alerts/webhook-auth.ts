import { createHash, timingSafeEqual } from 'node:crypto';

export type WebhookAuth = Readonly<{
  token: string | undefined;
  basic: Readonly<{ username: string; password: string }> | undefined;
}>;

/**
 * Checks an Authorization header against what Alertmanager's `http_config` is set to send:
 * a bearer token, basic credentials, or either when both are configured. With neither, the
 * webhook is open. Every comparison takes the same time whatever the input.
 */
export function isAuthorized(header: string | undefined, auth: WebhookAuth): boolean {
  if (auth.token === undefined && auth.basic === undefined) return true;
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
