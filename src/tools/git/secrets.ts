import { redactText } from '../../policy/redact.ts';
import { REDACTED } from '../../policy/redacted.ts';

/**
 * What must never leave the git tools: the forge's token, and any password written into the
 * repository's URL. Every text from git or the forge (output, errors, logs) passes through
 * `hideSecrets` before anyone sees it: the known values first, then the general rules.
 */
export function secretsOf(settings: { repo: string; forge: { token: string } }): string[] {
  const secrets = [settings.forge.token, basicCredentials(settings.forge.token)];
  const password = urlPassword(settings.repo);
  if (password !== undefined) secrets.push(password, encodeURIComponent(password));
  // Shorter strings could be parts of ordinary words: a real token is never this short.
  return [...new Set(secrets)].filter((s) => s.length >= 4);
}

/** The value git sends in `Authorization: Basic …` for the token, as forges accept it. */
export function basicCredentials(token: string): string {
  return Buffer.from(`x-access-token:${token}`).toString('base64');
}

export function hideSecrets(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) out = out.split(secret).join(REDACTED);
  return redactText(withoutUserInfo(out));
}

/** The repository's URL as people may see it: no user name or password. */
export function displayUrl(repo: string): string {
  return withoutUserInfo(repo);
}

function withoutUserInfo(text: string): string {
  return text.replace(/\b((?:https?|ssh|git|ftp)s?:\/\/)[^\s/@]{1,512}@/gi, `$1${REDACTED}@`);
}

function urlPassword(repo: string): string | undefined {
  const match = /^[a-z+]+:\/\/([^/@]*)@/i.exec(repo);
  const userInfo = match?.[1];
  if (userInfo === undefined) return undefined;
  const colon = userInfo.indexOf(':');
  const secret = colon === -1 ? userInfo : userInfo.slice(colon + 1);
  try {
    return decodeURIComponent(secret);
  } catch {
    return secret;
  }
}
