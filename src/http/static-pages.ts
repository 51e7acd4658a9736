import { readFileSync } from 'node:fs';
import { isAllowedHost } from './allowed-host.ts';
import { HttpError } from './http-error.ts';
import type { Handler, Route } from './router.ts';

/** What the console and dashboard pages may load: their own scripts and styles, nothing else. */
const CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "connect-src 'self'",
  "img-src 'self' data:",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

const TYPES: Record<string, string> = {
  html: 'text/html; charset=utf-8',
  js: 'text/javascript; charset=utf-8',
  css: 'text/css; charset=utf-8',
};

/** GET routes for files in `dir`, read once at start: `{ '/': 'index.html', … }`. */
export function staticRoutes(dir: URL, files: Readonly<Record<string, string>>): Route[] {
  return Object.entries(files).map(([path, name]) => {
    const body = readFileSync(new URL(name, dir));
    const type = TYPES[name.slice(name.lastIndexOf('.') + 1)] ?? 'application/octet-stream';
    return {
      method: 'GET' as const,
      path,
      handler: () => ({
        status: 200,
        body,
        headers: {
          'content-type': type,
          'content-security-policy': CSP,
          'cache-control': 'no-cache',
        },
      }),
    };
  });
}

/** The pages answer only to names they know, which stops DNS-rebinding pages from using them. */
export function onlyAllowedHosts(handler: Handler, allowedHosts: readonly string[]): Handler {
  return (ctx) => {
    if (!isAllowedHost(ctx.req.headers.host, allowedHosts)) {
      throw new HttpError(
        403,
        'host not allowed: add it to ALLOWED_HOSTS to serve the console under that name',
      );
    }
    return handler(ctx);
  };
}
