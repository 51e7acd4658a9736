import type { IncomingMessage, ServerResponse } from 'node:http';
import { Readable } from 'node:stream';

/**
 * A request carrying a JSON body and a response that keeps what was written to it, for handlers
 * tested without a server: `sent.status` and `sent.body` once the handler has answered.
 */
export function jsonExchange<Body = unknown>(
  body: unknown,
): { req: IncomingMessage; res: ServerResponse; sent: { status?: number; body?: Body } } {
  const req = Object.assign(Readable.from([Buffer.from(JSON.stringify(body))]), {
    headers: { 'content-type': 'application/json' },
    url: '/',
  }) as unknown as IncomingMessage;
  const sent: { status?: number; body?: Body } = {};
  const res = {
    setHeader: () => undefined,
    writeHead: (status: number) => {
      sent.status = status;
    },
    end: (text: string) => {
      sent.body = JSON.parse(text);
    },
  } as unknown as ServerResponse;
  return { req, res, sent };
}
