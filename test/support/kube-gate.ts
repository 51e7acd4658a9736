import { writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { stringify } from 'yaml';

/**
 * A network between the bot and a Kubernetes API server that can break on cue: it forwards every
 * request until told otherwise, then answers 503 (`refuse`) or never answers (`hang`). A switch
 * armed by `after` flips once a matching request has reached the server, so a test can lose the
 * cluster just after a write landed, or lose the write's own answer.
 */
export type GateMode = 'pass' | 'refuse' | 'hang';
type Seen = { method: string; path: string; dryRun: boolean };

export class KubeGate {
  readonly url: string;
  mode: GateMode = 'pass';
  /** How long each request waits before it is forwarded: a slow network or API server. */
  delayMs = 0;
  /** Every request that reached the gate, with the user it asked to act as (Impersonate-User). */
  readonly requests: (Seen & { impersonateUser: string | undefined })[] = [];
  readonly #server: Server;
  #armed: { match: (r: Seen) => boolean; then: GateMode; ownAnswer: boolean } | undefined;
  #racing: { match: (r: Seen) => boolean; first: () => Promise<void> } | undefined;

  private constructor(server: Server, url: string) {
    this.#server = server;
    this.url = url;
  }

  static async start(upstream: string): Promise<KubeGate> {
    let gate: KubeGate | undefined;
    const server = createServer((req, res) => gate?.handle(req, res, upstream));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    gate = new KubeGate(server, `http://127.0.0.1:${(server.address() as AddressInfo).port}`);
    return gate;
  }

  /**
   * After the first request matching `match` reached the server, every request is treated as
   * `then`; with `ownAnswer`, that request's own answer is lost too.
   */
  after(match: (r: Seen) => boolean, then: GateMode, ownAnswer = false): void {
    this.#armed = { match, then, ownAnswer };
  }

  /** A kubeconfig to the gate as `kubectl proxy` would give it: plain http, no credentials. */
  writeKubeconfig(path: string): void {
    writeFileSync(
      path,
      stringify({
        apiVersion: 'v1',
        kind: 'Config',
        clusters: [{ name: 'gate', cluster: { server: this.url } }],
        contexts: [{ name: 'gate', context: { cluster: 'gate' } }],
        'current-context': 'gate',
      }),
    );
  }

  /**
   * Before the first request matching `match` is forwarded, `first` runs: someone else's write
   * landing just ahead of it, as a controller's would.
   */
  raceBefore(match: (r: Seen) => boolean, first: () => Promise<void>): void {
    this.#racing = { match, first };
  }

  async close(): Promise<void> {
    this.#server.closeAllConnections();
    await new Promise((resolve) => this.#server.close(resolve));
  }

  private handle(
    req: IncomingMessage,
    res: import('node:http').ServerResponse,
    upstream: string,
  ): void {
    if (this.mode === 'hang') return;
    if (this.delayMs > 0 && this.mode === 'pass') {
      req.pause();
      setTimeout(() => this.pass(req, res, upstream), this.delayMs);
      return;
    }
    this.pass(req, res, upstream);
  }

  private pass(
    req: IncomingMessage,
    res: import('node:http').ServerResponse,
    upstream: string,
  ): void {
    if (this.mode === 'refuse') {
      res.writeHead(503, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ kind: 'Status', status: 'Failure', message: 'unavailable' }));
      return;
    }
    const url = new URL(req.url ?? '/', upstream);
    const seen = {
      method: req.method ?? 'GET',
      path: url.pathname,
      dryRun: url.searchParams.get('dryRun') === 'All',
    };
    const impersonateUser = req.headers['impersonate-user'];
    this.requests.push({
      ...seen,
      impersonateUser: Array.isArray(impersonateUser) ? impersonateUser.join(',') : impersonateUser,
    });
    const racing = this.#racing?.match(seen) === true ? this.#racing : undefined;
    if (racing !== undefined) {
      this.#racing = undefined;
      req.pause();
      racing.first().then(
        () => this.forward(req, res, url, seen),
        () => res.destroy(),
      );
      return;
    }
    this.forward(req, res, url, seen);
  }

  private forward(
    req: IncomingMessage,
    res: import('node:http').ServerResponse,
    url: URL,
    seen: Seen,
  ): void {
    const trips = this.#armed?.match(seen) === true ? this.#armed : undefined;
    const forward = request(url, { method: req.method, headers: req.headers }, (answer) => {
      if (trips !== undefined) {
        this.#armed = undefined;
        this.mode = trips.then;
        if (trips.ownAnswer) {
          answer.resume();
          if (trips.then === 'refuse') res.destroy();
          return;
        }
      }
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    forward.on('error', () => res.destroy());
    req.pipe(forward);
  }
}
