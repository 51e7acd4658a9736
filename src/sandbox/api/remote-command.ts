import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { type WebSocket, WebSocketServer } from 'ws';
import { statusOf } from './respond.ts';
import { ApiError } from './store.ts';

/**
 * The WebSocket side of `pods/attach` and `pods/exec`, as kubectl (1.30 and later) and client
 * libraries speak it: the `v5.channel.k8s.io` subprotocol (or v4), binary messages whose first
 * byte names the channel (0 stdin, 1 stdout, 2 stderr, 3 status, 4 resize, 255 a half-close in
 * v5), and the outcome as a `Status` on channel 3 before a normal close. SPDY, kubectl's
 * fallback, is answered with a Status saying what is served instead of hanging.
 */
export const PROTOCOLS = ['v5.channel.k8s.io', 'v4.channel.k8s.io'];
const STDOUT = 1;
const STDERR = 2;
const STATUS = 3;

/** What a stream does once the connection is open; it ends by calling `finish`. */
export type Session = {
  start(out: StreamOut): void;
  /** The client went away first. */
  stop(): void;
};

export type StreamOut = {
  stdout(text: string): void;
  stderr(text: string): void;
  /** The exit code, 0 for success; the connection is then closed. */
  finish(exitCode: number, command?: readonly string[]): void;
};

/**
 * The largest message read from a client. kubectl writes stdin as it reads it, 32 KiB at a time
 * (Go's copy buffer); a larger message closes the session with 1009 (too big) before it is held.
 */
export const MAX_MESSAGE = 2 ** 20;

export class RemoteCommandServer {
  readonly #sockets = new WebSocketServer({
    noServer: true,
    maxPayload: MAX_MESSAGE,
    handleProtocols: (offered) => PROTOCOLS.find((p) => offered.has(p)) ?? false,
  });

  /**
   * Answers an upgrade request: `open` authorises it and checks the pod, as for any request, so
   * that a refusal (403, 404) is what the client reads; then a session over a WebSocket, or a
   * Status as plain HTTP for a protocol not served.
   */
  handle(req: IncomingMessage, socket: Duplex, head: Buffer, open: () => Session): void {
    let session: Session | undefined;
    try {
      session = open();
      checkProtocol(req);
    } catch (error) {
      session?.stop();
      refuse(socket, error);
      return;
    }
    const opened = session;
    this.#sockets.handleUpgrade(req, socket, head, (ws) => run(ws, opened));
  }

  close(): void {
    for (const client of this.#sockets.clients) client.terminate();
    this.#sockets.close();
  }
}

function checkProtocol(req: IncomingMessage): void {
  if (req.headers.upgrade?.toLowerCase() !== 'websocket')
    throw new ApiError(
      400,
      'BadRequest',
      'the sandbox serves pods/exec and pods/attach over WebSocket (v5.channel.k8s.io), not SPDY',
    );
  const offered = String(req.headers['sec-websocket-protocol'] ?? '');
  if (!PROTOCOLS.some((p) => offered.split(/\s*,\s*/).includes(p)))
    throw new ApiError(
      400,
      'BadRequest',
      `none of the offered subprotocols (${offered || 'none'}) is served; use ${PROTOCOLS.join(' or ')}`,
    );
}

function run(ws: WebSocket, session: Session): void {
  let done = false;
  const send = (channel: number, text: string) => {
    if (done || ws.readyState !== ws.OPEN || text === '') return;
    ws.send(Buffer.concat([Buffer.from([channel]), Buffer.from(text)]));
  };
  ws.on('close', () => {
    if (done) return;
    done = true;
    session.stop();
  });
  // Stdin, resize and half-close messages are read and let go: no stand-in reads its input.
  ws.on('message', () => {});
  // A protocol error (a message over MAX_MESSAGE) is answered by the library with its close
  // code, then the connection closes; a socket error destroys it. Either way it ends here.
  ws.on('error', () => {});
  session.start({
    stdout: (text) => send(STDOUT, text),
    stderr: (text) => send(STDERR, text),
    finish: (exitCode, command) => {
      send(STATUS, JSON.stringify(exitStatus(exitCode, command)));
      done = true;
      ws.close(1000);
    },
  });
}

/** The Status the kubelet writes on the status channel when a command ends. */
export function exitStatus(exitCode: number, command: readonly string[] = []) {
  if (exitCode === 0) return { metadata: {}, status: 'Success' };
  return {
    metadata: {},
    status: 'Failure',
    message: `command terminated with non-zero exit code: command '${command.join(' ')}' exited with ${exitCode}`,
    reason: 'NonZeroExitCode',
    // A StatusCause's type is written as `reason`.
    details: { causes: [{ reason: 'ExitCode', message: String(exitCode) }] },
  };
}

function refuse(socket: Duplex, error: unknown): void {
  const apiError =
    error instanceof ApiError
      ? error
      : new ApiError(500, 'InternalError', `Internal error occurred: ${String(error)}`);
  const body = JSON.stringify(statusOf(apiError));
  socket.end(
    `HTTP/1.1 ${apiError.status} ${apiError.reason}\r\n` +
      'Content-Type: application/json\r\n' +
      `Content-Length: ${Buffer.byteLength(body)}\r\n` +
      'Connection: close\r\n\r\n' +
      body,
  );
}
