import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from '../observability/logger.ts';
import type { Metrics } from '../observability/metrics.ts';
import { HttpError } from './http-error.ts';
import { createServer } from './node-http.ts';
import { matchRoute, type Reply, type Route } from './router.ts';

export type HttpServer = {
  server: Server;
  /** Resolves with the bound port (useful with port 0). */
  listen(host: string, port: number): Promise<number>;
  /** Stops accepting connections and closes idle ones; open streams are their owners' to end. */
  close(): Promise<void>;
};

export function createHttpServer(
  routes: readonly Route[],
  log: Logger,
  metrics: Metrics,
): HttpServer {
  const handle = requestHandler(routes, log, metrics);
  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      log.error({ err: error }, 'request handling failed');
      if (!res.headersSent) send(res, { status: 500, body: { error: 'internal error' } });
      else res.destroy();
    });
  });
  server.keepAliveTimeout = 5_000;
  server.headersTimeout = 10_000;
  server.requestTimeout = 30_000;
  return { server, listen: (host, port) => listen(server, host, port), close: () => close(server) };
}

/** Routes each request, counts it when it finishes, and answers any failure. */
function requestHandler(
  routes: readonly Route[],
  log: Logger,
  metrics: Metrics,
): (req: IncomingMessage, res: ServerResponse) => Promise<void> {
  return async (req, res) => {
    const started = process.hrtime.bigint();
    const method = req.method ?? 'GET';
    const url = parseTarget(req.url);
    const match = url === undefined ? undefined : matchRoute(routes, method, url.pathname);
    const routeLabel = match !== undefined && 'route' in match ? match.route.path : 'unmatched';
    // Plain fields, not a child logger: a child costs more than most requests and is rarely used.
    const where = { method, route: routeLabel };
    res.on('finish', () => {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      metrics.httpRequests.inc({ route: routeLabel, method, status: res.statusCode });
      metrics.httpDuration.observe({ route: routeLabel }, seconds);
    });
    try {
      if (url === undefined) throw new HttpError(400, 'request target is not a valid path');
      if (match === undefined) throw new HttpError(404, 'not found');
      if ('allowed' in match) {
        throw new HttpError(405, 'method not allowed', {
          headers: { allow: match.allowed.join(', ') },
        });
      }
      const reply = await match.route.handler({ req, res, url, params: match.params, log });
      if (reply !== undefined) send(res, reply);
    } catch (error) {
      answerFailure(req, res, error, where, log);
    }
  };
}

/** An HttpError as its own answer, anything else as a logged 500. */
function answerFailure(
  req: IncomingMessage,
  res: ServerResponse,
  error: unknown,
  where: { method: string; route: string },
  log: Logger,
): void {
  // A refusal before the body was read (a 401, a 415) reads no more of it than a little.
  const unread = !req.complete;
  if (error instanceof HttpError) {
    if (error.status >= 500)
      log.warn({ ...where, status: error.status, reason: error.message }, 'request failed');
    send(res, {
      status: error.status,
      body: { error: error.message },
      headers: { ...error.headers, ...(unread ? { connection: 'close' } : {}) },
    });
    if (error.headers.connection === 'close') res.on('finish', () => req.destroy());
    else if (unread) discardAtMost(req, UNREAD_LIMIT);
    return;
  }
  log.error({ ...where, err: error }, 'request handler crashed');
  send(res, {
    status: 500,
    body: { error: 'internal error' },
    ...(unread ? { headers: { connection: 'close' } } : {}),
  });
  if (unread) discardAtMost(req, UNREAD_LIMIT);
}

/** Resolves with the bound port once listening, or rejects with why not. */
function listen(server: Server, host: string, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

/** Stops accepting connections and closes idle ones. */
function close(server: Server): Promise<void> {
  return new Promise((resolve) => {
    if (!server.listening) return resolve();
    server.close(() => resolve());
    server.closeIdleConnections();
  });
}

/** What a refused request may still send after its answer before its connection is cut. */
const UNREAD_LIMIT = 64 * 1024;

/**
 * Lets a client finish sending a small body it had already sent (so it reads the answer, not a
 * reset), and cuts the connection past `limit`: a refused client cannot make the server read
 * gigabytes for nothing.
 */
function discardAtMost(req: IncomingMessage, limit: number): void {
  let seen = 0;
  req.on('data', (chunk: Buffer) => {
    seen += chunk.length;
    if (seen > limit) req.destroy();
  });
  req.resume();
}

function send(res: ServerResponse, reply: Reply) {
  if (res.headersSent) {
    res.end();
    return;
  }
  const headers: Record<string, string> = { ...reply.headers };
  let body: string | Buffer | undefined;
  if (typeof reply.body === 'string' || Buffer.isBuffer(reply.body)) {
    body = reply.body;
    headers['content-type'] ??= 'text/plain; charset=utf-8';
  } else if (reply.body !== undefined) {
    body = JSON.stringify(reply.body);
    headers['content-type'] ??= 'application/json; charset=utf-8';
  }
  headers['x-content-type-options'] = 'nosniff';
  res.writeHead(reply.status, headers);
  res.end(body);
}

/** The request target as a URL; undefined for targets no client of ours sends (`//host:99999`). */
function parseTarget(target: string | undefined): URL | undefined {
  try {
    return new URL(target ?? '/', 'http://localhost');
  } catch {
    return undefined;
  }
}
