import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MIB, readBody } from '../../src/http/read-body.ts';
import { createHttpServer, type HttpServer } from '../../src/http/server.ts';
import { createLogger } from '../../src/observability/logger.ts';
import { createMetrics } from '../../src/observability/metrics.ts';

let http: HttpServer;
let port: number;

beforeAll(async () => {
  http = createHttpServer(
    [
      {
        method: 'POST',
        path: '/upload',
        async handler({ req }) {
          const body = await readBody(req, MIB);
          return { status: 200, body: { bytes: body.length } };
        },
      },
    ],
    createLogger('silent'),
    createMetrics(),
  );
  port = await http.listen('127.0.0.1', 0);
});

afterAll(async () => {
  http.server.closeAllConnections();
  await http.close();
});

/**
 * Posts `total` bytes over a plain socket, as a client that writes its whole body before it reads
 * (declared up front, or chunked), and returns what came back before the connection ended.
 */
function upload(total: number, declare: boolean) {
  return new Promise<{ status: number; body: string }>((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => {
      const framing = declare ? `content-length: ${total}` : 'transfer-encoding: chunked';
      socket.write(
        `POST /upload HTTP/1.1\r\nhost: 127.0.0.1\r\nconnection: close\r\n${framing}\r\n\r\n`,
      );
      const piece = Buffer.alloc(64 * 1024, 'a');
      for (let sent = 0; sent < total; sent += piece.length) {
        const next = piece.subarray(0, Math.min(piece.length, total - sent));
        socket.write(declare ? next : `${next.length.toString(16)}\r\n${next}\r\n`);
      }
      if (!declare) socket.write('0\r\n\r\n');
    });
    let raw = '';
    socket.on('data', (chunk: Buffer) => {
      raw += chunk.toString();
    });
    socket.on('error', (error) =>
      reject(new Error(`${error.message} after ${JSON.stringify(raw)}`)),
    );
    socket.on('end', () => {
      const status = Number(raw.match(/^HTTP\/1\.1 (\d{3}) /)?.[1] ?? 0);
      const at = raw.indexOf('\r\n\r\n');
      const chunked = /^transfer-encoding: chunked$/im.test(raw.slice(0, at));
      const body = raw.slice(at + 4);
      resolve({ status, body: chunked ? dechunk(body) : body });
    });
  });
}

/** The payload of a chunked response body. */
function dechunk(body: string): string {
  let out = '';
  let rest = body;
  for (;;) {
    const eol = rest.indexOf('\r\n');
    const size = Number.parseInt(rest.slice(0, eol), 16);
    if (!(size > 0)) return out;
    out += rest.slice(eol + 2, eol + 2 + size);
    rest = rest.slice(eol + 2 + size + 2);
  }
}

describe('readBody', () => {
  it('answers 413 with a message to a 2 MB body with a Content-Length, not a reset', async () => {
    const answer = await upload(2 * MIB, true);

    expect(answer.status).toBe(413);
    expect(JSON.parse(answer.body)).toEqual({ error: 'request body is larger than 1048576 bytes' });
  });

  it('answers 413 with a message to a 2 MB chunked body, not a reset', async () => {
    const answer = await upload(2 * MIB, false);

    expect(answer.status).toBe(413);
    expect(JSON.parse(answer.body)).toEqual({ error: 'request body is larger than 1048576 bytes' });
  });

  it('reads a body within the limit whole, either way', async () => {
    const declared = await upload(MIB, true);
    const chunked = await upload(MIB, false);

    expect(JSON.parse(declared.body)).toEqual({ bytes: MIB });
    expect(JSON.parse(chunked.body)).toEqual({ bytes: MIB });
  });
});

describe('readBody with a sender that gives up', () => {
  it('lets go of a body cut off half-way, and keeps serving', async () => {
    await new Promise<void>((resolve) => {
      const socket = connect(port, '127.0.0.1', () => {
        socket.write('POST /upload HTTP/1.1\r\nhost: 127.0.0.1\r\ncontent-length: 1000\r\n\r\nabc');
        setTimeout(() => socket.destroy(), 50);
        socket.on('close', () => resolve());
      });
    });

    const answer = await upload(10, true);

    expect(JSON.parse(answer.body)).toEqual({ bytes: 10 });
  });
});
