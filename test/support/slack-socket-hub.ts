import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { type RawData, type WebSocket, WebSocketServer } from 'ws';

/**
 * Slack's end of Socket Mode, as `@slack/socket-mode` expects it: a single-use ticket from
 * `apps.connections.open`, a `hello` first, envelopes the client acks by `envelope_id`, and
 * pings from the server. The client stops trusting a connection it has been pinged on once
 * pings stop for 30 s, and it pings itself every few seconds (`ws` answers those with pongs).
 */
export type SocketEnvelopeType = 'events_api' | 'slash_commands' | 'interactive';

export type SocketAck = {
  envelope_id: string;
  /** What the app acked with; `@slack/socket-mode` sends `{}` for a bare `ack()`. */
  payload: Record<string, unknown> | undefined;
  /** From sending the envelope to the ack arriving. */
  ms: number;
};

export type SendSocketOptions = {
  retryAttempt?: number;
  retryReason?: string;
  /** Default as Slack sends it: false for events, true for slash commands and interactivity. */
  acceptsResponsePayload?: boolean;
  /** How long to wait for the ack; Slack itself waits 3 s before it retries. */
  timeoutMs?: number;
};

type PendingAck = {
  started: number;
  resolve: (ack: SocketAck) => void;
  reject: (error: Error) => void;
  timer: NodeJS.Timeout;
};

export class SocketHub {
  readonly #wss = new WebSocketServer({ noServer: true });
  readonly #tickets = new Set<string>();
  /** Open connections that have been sent `hello`, oldest first. */
  readonly #open: WebSocket[] = [];
  readonly #pending = new Map<string, PendingAck>();
  #helloWaiters: (() => void)[] = [];
  readonly #appId: string;
  readonly #pingIntervalMs: number;

  constructor(options: { appId: string; pingIntervalMs: number }) {
    this.#appId = options.appId;
    this.#pingIntervalMs = options.pingIntervalMs;
  }

  get connections(): number {
    return this.#open.length;
  }

  issueTicket(): string {
    const ticket = randomUUID();
    this.#tickets.add(ticket);
    return ticket;
  }

  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const ticket = new URL(req.url ?? '/', 'http://fake').searchParams.get('ticket');
    if (ticket === null || !this.#tickets.delete(ticket)) {
      socket.end('HTTP/1.1 401 Unauthorized\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    this.#wss.handleUpgrade(req, socket, head, (ws) => this.#accept(ws));
  }

  #accept(ws: WebSocket): void {
    this.#open.push(ws);
    ws.send(
      JSON.stringify({
        type: 'hello',
        num_connections: this.#open.length,
        debug_info: { host: 'applink-fake', build_number: 1, approximate_connection_time: 18060 },
        connection_info: { app_id: this.#appId },
      }),
    );
    ws.ping();
    const pinger = setInterval(() => ws.ping(), this.#pingIntervalMs);
    ws.on('message', (data, isBinary) => {
      if (!isBinary) this.#onMessage(data);
    });
    ws.on('close', () => {
      clearInterval(pinger);
      const at = this.#open.indexOf(ws);
      if (at >= 0) this.#open.splice(at, 1);
    });
    for (const waiter of this.#helloWaiters) waiter();
    this.#helloWaiters = [];
  }

  #onMessage(data: RawData): void {
    let message: unknown;
    try {
      message = JSON.parse(String(data));
    } catch {
      return;
    }
    if (typeof message !== 'object' || message === null || !('envelope_id' in message)) return;
    const id = message.envelope_id;
    const pending = typeof id === 'string' ? this.#pending.get(id) : undefined;
    if (typeof id !== 'string' || !pending) return;
    this.#pending.delete(id);
    clearTimeout(pending.timer);
    const payload = 'payload' in message ? message.payload : undefined;
    pending.resolve({
      envelope_id: id,
      payload:
        typeof payload === 'object' && payload !== null
          ? (payload as Record<string, unknown>)
          : undefined,
      ms: performance.now() - pending.started,
    });
  }

  connected(timeoutMs: number): Promise<void> {
    if (this.#open.length > 0) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#helloWaiters = this.#helloWaiters.filter((waiter) => waiter !== done);
        reject(new Error(`no Socket Mode client connected within ${timeoutMs} ms`));
      }, timeoutMs);
      const done = () => {
        clearTimeout(timer);
        resolve();
      };
      this.#helloWaiters.push(done);
    });
  }

  /** Sends an envelope on the newest connection and resolves with the client's ack. */
  send(
    type: SocketEnvelopeType,
    payload: object,
    options: SendSocketOptions = {},
  ): Promise<SocketAck> {
    const ws = this.#open.at(-1);
    if (!ws) return Promise.reject(new Error('no Socket Mode connection is open'));
    const envelopeId = randomUUID();
    const timeoutMs = options.timeoutMs ?? 3000;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#pending.delete(envelopeId);
        reject(new Error(`no ack for ${type} envelope ${envelopeId} within ${timeoutMs} ms`));
      }, timeoutMs);
      this.#pending.set(envelopeId, { started: performance.now(), resolve, reject, timer });
      ws.send(
        JSON.stringify({
          envelope_id: envelopeId,
          payload,
          type,
          accepts_response_payload: options.acceptsResponsePayload ?? type !== 'events_api',
          retry_attempt: options.retryAttempt ?? 0,
          retry_reason: options.retryReason ?? '',
        }),
      );
    });
  }

  /** Closes every connection (1001, then cut off if the client does not answer) and the server. */
  async close(): Promise<void> {
    for (const [id, pending] of this.#pending) {
      clearTimeout(pending.timer);
      pending.reject(new Error(`Slack closed before envelope ${id} was acked`));
    }
    this.#pending.clear();
    const sockets = [...this.#wss.clients];
    await Promise.all(
      sockets.map(
        (ws) =>
          new Promise<void>((resolve) => {
            if (ws.readyState === ws.CLOSED) return resolve();
            const cutoff = setTimeout(() => ws.terminate(), 500);
            ws.once('close', () => {
              clearTimeout(cutoff);
              resolve();
            });
            ws.close(1001, 'server closing');
          }),
      ),
    );
    await new Promise<void>((resolve) => this.#wss.close(() => resolve()));
  }
}
