import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from '../observability/logger.ts';

export type Reply = {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
};

type RequestContext = {
  req: IncomingMessage;
  res: ServerResponse;
  url: URL;
  params: Readonly<Record<string, string>>;
  /** The process logger; handlers add their own fields. */
  log: Logger;
};

/** A handler answers with a Reply, or with `undefined` when it has taken the response over (SSE). */
export type Handler = (ctx: RequestContext) => Promise<Reply | undefined> | Reply | undefined;

export type Route = {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  /** Literal segments and `:name` parameters, e.g. `/api/channels/:channel/messages`. */
  path: string;
  handler: Handler;
};

type Match = { route: Route; params: Record<string, string> } | { allowed: string[] } | undefined;

export function matchRoute(routes: readonly Route[], method: string, pathname: string): Match {
  const allowed: string[] = [];
  for (const route of routes) {
    const params = matchPath(route.path, pathname);
    if (params === undefined) continue;
    if (route.method === method || (method === 'HEAD' && route.method === 'GET')) {
      return { route, params };
    }
    allowed.push(route.method);
  }
  return allowed.length > 0 ? { allowed } : undefined;
}

function matchPath(pattern: string, pathname: string): Record<string, string> | undefined {
  const want = pattern.split('/');
  const got = pathname.split('/');
  if (want.length !== got.length) return undefined;
  const params: Record<string, string> = {};
  for (let i = 0; i < want.length; i++) {
    const w = want[i] ?? '';
    const g = got[i] ?? '';
    if (w.startsWith(':')) {
      if (g === '') return undefined;
      try {
        params[w.slice(1)] = decodeURIComponent(g);
      } catch {
        return undefined;
      }
    } else if (w !== g) {
      return undefined;
    }
  }
  return params;
}
