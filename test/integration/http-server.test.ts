import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HttpError } from '../../src/http/http-error.ts';
import { createHttpServer, type HttpServer } from '../../src/http/server.ts';
import { createLogger } from '../../src/observability/logger.ts';
import { createMetrics } from '../../src/observability/metrics.ts';

/**
 * A request refused before its body is read (no credentials, a wrong content type) must not make
 * the server read whatever the client keeps sending: a little is let through so an honest client
 * reads its answer, then the connection is cut.
 */
let http: HttpServer;
let port: number;

beforeAll(async () => {
  http = createHttpServer(
    [
      {
        method: 'POST',
        path: '/guarded',
        async handler() {
          throw new HttpError(401, 'missing or wrong credentials');
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

/** Sends a chunked body of up to `totalBytes` as fast as the server takes it. */
function flood(totalBytes: number) {
  return new Promise<{ sent: number; answer: string }>((resolve) => {
    const socket = connect(port, '127.0.0.1');
    let sent = 0;
    let answer = '';
    const chunk = Buffer.alloc(64 * 1024, 'a');
    socket.on('data', (data) => {
      answer += data.toString();
    });
    socket.on('error', () => undefined);
    socket.on('close', () => resolve({ sent, answer }));
    socket.write(
      'POST /guarded HTTP/1.1\r\nHost: 127.0.0.1\r\ncontent-type: application/json\r\ntransfer-encoding: chunked\r\n\r\n',
    );
    const pump = () => {
      while (sent < totalBytes && !socket.destroyed) {
        sent += chunk.length;
        socket.write(`${chunk.length.toString(16)}\r\n`);
        socket.write(chunk);
        if (!socket.write('\r\n')) return void socket.once('drain', pump);
      }
      socket.end('0\r\n\r\n');
    };
    pump();
  });
}

describe('a request refused before its body is read', () => {
  it('is answered, and cut off long before 256 MiB are read', async () => {
    const { sent, answer } = await flood(256 * 1024 * 1024);

    expect(answer).toContain('401');
    expect(answer.toLowerCase()).toContain('connection: close');
    expect(sent).toBeLessThan(32 * 1024 * 1024);
  });

  it('still gets its answer when its body is small', async () => {
    const { answer } = await flood(1024);

    expect(answer).toContain('401');
    expect(answer).toContain('missing or wrong credentials');
  });
});
