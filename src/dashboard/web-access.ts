import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Redis } from 'ioredis';
import { LoginThrottle } from './login-throttle.ts';

/**
 * Who is at the dashboard or the console. With DASHBOARD_TOKENS set, a person signs in with their
 * name and token and is `web:NAME` for the session (a cookie naming a session kept in Redis, so
 * every bot replica knows it). Without tokens, the dashboard serves only a loopback address, where
 * the name typed is trusted, and only for `coxswain demo` on one's own machine: a request must come
 * from this machine's own address, not forwarded by a proxy.
 */
type Access =
  | { ok: true; person: string; signedIn: boolean }
  | { ok: false; status: 401 | 403; reason: string };

const COOKIE = 'coxswain_session';
const SESSION_SECONDS = 12 * 3_600;

/** Told the key of each session that ends (`sessionKey`), on this replica or another. */
type SessionEnded = (key: string) => void;

export class WebAccess {
  readonly #redis: Redis;
  readonly #prefix: string;
  readonly #users: ReadonlyMap<string, Buffer>;
  readonly #trustLocal: boolean;
  /** The cookie's name and flags: `__Host-` and Secure behind https, so no plain page sees it. */
  readonly #cookie: { name: string; flags: string };
  readonly #ended = new Set<SessionEnded>();
  readonly #throttle: LoginThrottle;

  constructor(
    redis: Redis,
    prefix: string,
    options: {
      users: readonly { name: string; token: string }[];
      /** Trust a typed name on a loopback request (the demo); only without users. */
      trustLocal: boolean;
      /** People reach the dashboard over https (PUBLIC_URL): the cookie is sent on https only. */
      secure: boolean;
    },
  ) {
    this.#redis = redis;
    this.#prefix = `${prefix}:session`;
    this.#users = new Map(options.users.map((u) => [u.name, digest(u.token)]));
    this.#trustLocal = options.trustLocal;
    this.#throttle = new LoginThrottle(redis, prefix);
    this.#cookie = options.secure
      ? { name: `__Host-${COOKIE}`, flags: 'Path=/; HttpOnly; Secure; SameSite=Strict' }
      : { name: COOKIE, flags: 'Path=/; HttpOnly; SameSite=Strict' };
  }

  /** Whether people sign in (tokens are configured). */
  get signIn(): boolean {
    return this.#users.size > 0;
  }

  /**
   * A new session for the name if the token is theirs: its cookie, to set. Refused without
   * looking at the token while the name or the client is held back for failing too often.
   */
  async login(
    name: string,
    token: string,
    client: string,
  ): Promise<{ ok: true; cookie: string } | { ok: false; retryAfter: number | undefined }> {
    const wait = await this.#throttle.wait(name, client);
    if (wait > 0) return { ok: false, retryAfter: wait };
    const want = this.#users.get(name);
    if (want === undefined || !timingSafeEqual(want, digest(token))) {
      await this.#throttle.failed(name, client);
      return { ok: false, retryAfter: undefined };
    }
    await this.#throttle.succeeded(name);
    const id = randomBytes(24).toString('base64url');
    // The session names the token it was opened with: a token changed or removed ends it.
    await this.#redis.set(
      `${this.#prefix}:${id}`,
      `${name}|${fingerprint(want)}`,
      'EX',
      SESSION_SECONDS,
    );
    return {
      ok: true,
      cookie: `${this.#cookie.name}=${id}; ${this.#cookie.flags}; Max-Age=${SESSION_SECONDS}`,
    };
  }

  /**
   * Ends the request's session, and with it every live stream it opened: this replica's before
   * this returns, the other replicas' on the pub/sub message (`follow`).
   */
  async logout(req: IncomingMessage): Promise<string> {
    const id = sessionId(req, this.#cookie.name);
    if (id !== undefined) {
      await this.#redis.del(`${this.#prefix}:${id}`);
      const key = keyOf(id);
      for (const listener of this.#ended) listener(key);
      await this.#redis.publish(this.#endedChannel, key);
    }
    return `${this.#cookie.name}=; ${this.#cookie.flags}; Max-Age=0`;
  }

  /** What a stream keeps to be ended with its session: a digest, so no live session id is kept. */
  sessionKey(req: IncomingMessage): string | undefined {
    const id = sessionId(req, this.#cookie.name);
    return id === undefined ? undefined : keyOf(id);
  }

  onSessionEnded(listener: SessionEnded): void {
    this.#ended.add(listener);
  }

  /** Hears the sessions other replicas end, on a connection kept for subscribing. */
  async follow(subscriber: Redis): Promise<void> {
    subscriber.on('message', (channel: string, key: string) => {
      if (channel !== this.#endedChannel) return;
      for (const listener of this.#ended) listener(key);
    });
    await subscriber.subscribe(this.#endedChannel);
  }

  get #endedChannel(): string {
    return `${this.#prefix}:ended`;
  }

  /** The person behind a request: the session's, or on a loopback demo, the name typed. */
  async of(req: IncomingMessage, typed?: string): Promise<Access> {
    if (this.signIn) {
      const id = sessionId(req, this.#cookie.name);
      const session = id === undefined ? null : await this.#redis.get(`${this.#prefix}:${id}`);
      const [name = '', print] = (session ?? '').split('|');
      const token = this.#users.get(name);
      if (session === null || token === undefined || print !== fingerprint(token))
        return { ok: false, status: 401, reason: 'sign in with your name and token' };
      return { ok: true, person: `web:${name}`, signedIn: true };
    }
    if (!this.#trustLocal || !fromThisMachine(req))
      return {
        ok: false,
        status: 403,
        reason: 'set DASHBOARD_TOKENS so that people sign in (only the demo trusts a typed name)',
      };
    if (typed === undefined) return { ok: false, status: 401, reason: 'say who you are' };
    return { ok: true, person: `web:${typed}`, signedIn: false };
  }
}

/** The address a request came from, as the socket has it (a header can say anything). */
export function clientAddress(req: IncomingMessage): string {
  return (req.socket.remoteAddress ?? 'unknown').replace(/^::ffff:/, '');
}

/**
 * Headers by which a proxy says it passed a request on. A proxy on this same host that sends
 * none of them looks like a local browser: the typed name is trusted only without sign-in and on
 * a loopback HOST, which is what such a proxy must never be put in front of (see the README).
 */
const PROXY_HEADERS = [
  'forwarded',
  'x-forwarded-for',
  'x-forwarded-host',
  'x-forwarded-proto',
  'x-real-ip',
  'via',
] as const;

/** A request made on this machine itself: its peer is loopback and no proxy forwarded it. */
function fromThisMachine(req: IncomingMessage): boolean {
  const peer = req.socket.remoteAddress ?? '';
  const local = peer === '::1' || peer.startsWith('127.') || peer.startsWith('::ffff:127.');
  return local && PROXY_HEADERS.every((header) => req.headers[header] === undefined);
}

function keyOf(id: string): string {
  return createHash('sha256').update(id).digest('hex').slice(0, 32);
}

function fingerprint(digest: Buffer): string {
  return digest.toString('hex').slice(0, 16);
}

function digest(token: string): Buffer {
  return createHash('sha256').update(token).digest();
}

function sessionId(req: IncomingMessage, cookie: string): string | undefined {
  const cookies = req.headers.cookie ?? '';
  for (const part of cookies.split(';')) {
    const [name, value] = part.trim().split('=', 2);
    if (name === cookie && value !== undefined && /^[A-Za-z0-9_-]{32}$/.test(value)) return value;
  }
  return undefined;
}

/** Whether an HTTP server listening on this host is reachable from this machine only. */
export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
}
