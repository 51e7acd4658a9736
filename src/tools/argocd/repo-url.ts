import { isAbsolute } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Whether two repository URLs name the same Git repository, as Argo CD's own URL comparison
 * decides it: a trailing `.git` or slash, the case of the host, credentials, a user name and a
 * port do not make another repository, nor does reaching the forge over SSH instead of HTTPS
 * (`git@github.com:acme/deploy.git` is `https://github.com/acme/deploy`). A `file://` URL and an
 * absolute path name the same directory.
 */
export function sameRepository(a: string, b: string): boolean {
  const left = repositoryKey(a);
  return left !== undefined && left === repositoryKey(b);
}

/** The repository a URL names, in one spelling; undefined for what is not a repository URL. */
export function repositoryKey(url: string): string | undefined {
  const text = url.trim();
  const local = localPath(text);
  if (local !== undefined) return `file:${plain(local)}`;
  // A URL with a scheme, or scp's `user@host:path` as git takes it.
  const network =
    /^[a-z][a-z0-9+.-]*:\/\/(?:[^/@\s]*@)?([^/:\s]+)(?::\d*)?(\/.*)?$/i.exec(text) ??
    /^(?:[^/@:\s]+@)?([^/:\s]+):(?!\/\/)(.+)$/.exec(text);
  const host = network?.[1];
  const rest = plain((network?.[2] ?? '').replace(/^\/+/, ''));
  if (host === undefined || rest === '') return undefined;
  return `${host.toLowerCase()}/${rest}`;
}

/** The local directory of a repository URL: a `file://` URL or an absolute path. */
export function localPath(url: string): string | undefined {
  if (/^file:\/\//i.test(url)) {
    try {
      return fileURLToPath(url);
    } catch {
      return undefined;
    }
  }
  return isAbsolute(url) ? url : undefined;
}

function plain(path: string): string {
  return path
    .replace(/\/+$/, '')
    .replace(/\.git$/i, '')
    .replace(/\/+$/, '');
}
