import { randomBytes, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  APP_ID,
  BOT_ID,
  BOT_USER_ID,
  blockActions,
  slashCommand,
  TEAM_ID,
} from './slack-payloads.ts';
import { type HttpReply, type SendHttpOptions, sendSigned } from './slack-signed-request.ts';
import {
  type SendSocketOptions,
  type SocketAck,
  type SocketEnvelopeType,
  SocketHub,
} from './slack-socket-hub.ts';
import {
  type ApiResult,
  type PostedMessage,
  type ResponseContext,
  SlackWorkspace,
} from './slack-workspace.ts';

/**
 * A local Slack for tests, speaking Slack's wire protocols so the real `@slack/bolt`,
 * `@slack/web-api` and `@slack/socket-mode` run against it unchanged:
 *
 *   const slack = await FakeSlack.start({ signingSecret?, pingIntervalMs? });
 *   new App({ socketMode: true, token: slack.botToken, appToken: slack.appToken,
 *             clientOptions: { slackApiUrl: slack.apiUrl }, logLevel: LogLevel.ERROR });
 *
 * - `apiUrl` is `http://127.0.0.1:PORT/api/` (a WebClient adds the trailing slash if missing).
 *   Web API: `auth.test`, `chat.postMessage`, `chat.update`, `chat.postEphemeral`, `usergroups.list` with
 *   `botToken`; `apps.connections.open` with `appToken`. Form or JSON bodies, token in the
 *   Authorization header or the body. No token → `not_authed`, an unknown one → `invalid_auth`,
 *   the other kind → `not_allowed_token_type`, another method → `unknown_method`; all HTTP 200.
 * - `calls` records every request, `response_url` posts included (method `response_url`);
 *   `waitForCall(method, predicate?, timeoutMs = 5000)` resolves with the first matching one,
 *   past or future, skipping rate-limited ones. `posted(channel?)` lists messages as the channel
 *   now shows them. `deleteMessage(channel, ts)` deletes one as a person would: `chat.update`
 *   then answers `message_not_found`, and a reply to it lands in the channel (no `thread_ts` in
 *   the answer's `message`) unless its replies keep it as a tombstone. `rateLimit(method, times, retryAfterSeconds, when?)` answers the next `times`
 *   calls (whose arguments pass `when`) with 429, `Retry-After` and `{ok:false,error:'ratelimited'}`.
 * - Socket Mode: `socketConnected(timeoutMs?)`, `socketConnections`, and
 *   `sendSocket(type, payload, options?)`, which resolves with the ack `{envelope_id, payload,
 *   ms}`: `payload` is `{}` for a bare `ack()`, and what the app passed to `ack(...)` otherwise
 *   (a slash command's immediate reply). Retries are `retryAttempt`/`retryReason`, which Bolt
 *   shows as `context.retryNum`/`retryReason`. No ack within `timeoutMs` (3 s, as Slack) rejects.
 * - HTTP deliveries: `sendHttp(url, body, options?)` signs and posts as Slack does.
 * - `responseUrl(context)`, `slashCommand(...)` and `blockActions(...)` hand out `response_url`s
 *   that point back here; what is posted to one shows in `posted()`: ephemeral to the user unless
 *   `response_type: 'in_channel'`, or it replaces/deletes the clicked message.
 *
 * Stop Bolt apps before `close()`: a Socket Mode client whose socket closes reconnects, and
 * against a closed fake it keeps retrying `apps.connections.open`, holding the process open.
 */
export type SlackCall = {
  method: string;
  args: Record<string, unknown>;
  token: string | undefined;
  /** `Date.now()` when the request arrived. */
  at: number;
  /** Answered with 429 by `rateLimit()`. */
  rateLimited: boolean;
  /** The JSON body the fake answered with. */
  result: ApiResult;
};

export type {
  HttpReply,
  PostedMessage,
  ResponseContext,
  SendHttpOptions,
  SendSocketOptions,
  SocketAck,
  SocketEnvelopeType,
};

type Waiter = { matches: (call: SlackCall) => boolean; resolve: (call: SlackCall) => void };

/** Arguments the Web API takes as JSON, which form-encoded clients send as JSON strings. */
const STRUCTURED_ARGS = new Set(['blocks', 'attachments', 'metadata', 'unfurled_attachments']);
const BOT_METHODS = [
  'auth.test',
  'chat.postMessage',
  'chat.update',
  'chat.postEphemeral',
  'usergroups.list',
];

export class FakeSlack {
  readonly botToken = 'xoxb-0000000001-0000000002-fakeBotToken';
  readonly appToken = `xapp-1-${APP_ID}-0000000003-fakeAppToken`;
  readonly signingSecret: string;
  readonly botUserId = BOT_USER_ID;
  readonly botId = BOT_ID;
  readonly teamId = TEAM_ID;
  readonly appId = APP_ID;
  readonly calls: SlackCall[] = [];
  readonly #server: Server;
  readonly #workspace = new SlackWorkspace();
  readonly #socket: SocketHub;
  readonly #rateLimits = new Map<
    string,
    { remaining: number; retryAfter: number; when: (args: Record<string, unknown>) => boolean }
  >();
  readonly #responseUrls = new Map<string, ResponseContext>();
  #waiters: Waiter[] = [];
  #baseUrl = '';

  private constructor(options: { signingSecret?: string; pingIntervalMs?: number }) {
    this.signingSecret = options.signingSecret ?? randomBytes(16).toString('hex');
    this.#socket = new SocketHub({ appId: APP_ID, pingIntervalMs: options.pingIntervalMs ?? 5000 });
    this.#server = createServer((req, res) => void this.#handle(req, res));
    this.#server.on('upgrade', (req, socket, head) => {
      if (req.url?.startsWith('/socket')) this.#socket.handleUpgrade(req, socket, head);
      else socket.destroy();
    });
  }

  /** `pingIntervalMs`: how often the server pings Socket Mode clients (default 5 s). */
  static async start(
    options: { signingSecret?: string; pingIntervalMs?: number } = {},
  ): Promise<FakeSlack> {
    const slack = new FakeSlack(options);
    await new Promise<void>((resolve) => slack.#server.listen(0, '127.0.0.1', resolve));
    slack.#baseUrl = `http://127.0.0.1:${(slack.#server.address() as AddressInfo).port}`;
    return slack;
  }

  /** What a WebClient takes as `slackApiUrl`. */
  get apiUrl(): string {
    return `${this.#baseUrl}/api/`;
  }

  get socketConnections(): number {
    return this.#socket.connections;
  }

  posted(channel?: string): PostedMessage[] {
    return this.#workspace.posted(channel);
  }

  /** The first call of `method` (past or future, not rate-limited) that `predicate` accepts. */
  waitForCall(
    method: string,
    predicate: (call: SlackCall) => boolean = () => true,
    timeoutMs = 5000,
  ): Promise<SlackCall> {
    const matches = (call: SlackCall) =>
      call.method === method && !call.rateLimited && predicate(call);
    const seen = this.calls.find(matches);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        matches,
        resolve: (call) => {
          clearTimeout(timer);
          resolve(call);
        },
      };
      const timer = setTimeout(() => {
        this.#waiters = this.#waiters.filter((w) => w !== waiter);
        const seenMethods = this.calls.map((c) => c.method).join(', ') || 'none';
        reject(
          new Error(`no matching ${method} call within ${timeoutMs} ms (calls: ${seenMethods})`),
        );
      }, timeoutMs);
      this.#waiters.push(waiter);
    });
  }

  /**
   * Deletes a message as a person in the workspace would (see `SlackWorkspace.delete`: one with
   * replies stays as a tombstone). Throws when it was deleted already.
   */
  deleteMessage(channel: string, ts: string): void {
    if (!this.#workspace.delete(channel, ts)) throw new Error(`${ts} in ${channel} is deleted`);
  }

  /** Puts users in a user group (`usergroups.list` lists it with them). */
  userGroup(id: string, users: readonly string[]): void {
    this.#workspace.userGroups.set(id, [...users]);
  }

  /**
   * The next `times` calls of `method` (those whose arguments pass `when`, if given) get HTTP
   * 429, `Retry-After`, `{ok:false,error:'ratelimited'}`.
   */
  rateLimit(
    method: string,
    times: number,
    retryAfterSeconds: number,
    when: (args: Record<string, unknown>) => boolean = () => true,
  ): void {
    this.#rateLimits.set(method, { remaining: times, retryAfter: retryAfterSeconds, when });
  }

  /** A `response_url` whose messages land in `context.channel` (ephemeral to `context.user`). */
  responseUrl(context: ResponseContext): string {
    const id = randomUUID();
    this.#responseUrls.set(id, context);
    return `${this.#baseUrl}/response/${id}`;
  }

  /** `slashCommand()` with a `response_url` pointing at this fake. */
  slashCommand(options: Parameters<typeof slashCommand>[0]): Record<string, string> {
    const responseUrl =
      options.responseUrl ?? this.responseUrl({ channel: options.channelId, user: options.userId });
    return slashCommand({ ...options, responseUrl });
  }

  /** `blockActions()` with a `response_url` pointing at this fake. */
  blockActions(options: Parameters<typeof blockActions>[0]): ReturnType<typeof blockActions> {
    const context: ResponseContext = {
      channel: options.channel,
      user: options.user,
      messageTs: options.messageTs,
      ...(options.threadTs === undefined ? {} : { threadTs: options.threadTs }),
    };
    return blockActions({
      ...options,
      responseUrl: options.responseUrl ?? this.responseUrl(context),
    });
  }

  socketConnected(timeoutMs = 5000): Promise<void> {
    return this.#socket.connected(timeoutMs);
  }

  sendSocket(
    type: SocketEnvelopeType,
    payload: object,
    options: SendSocketOptions = {},
  ): Promise<SocketAck> {
    return this.#socket.send(type, payload, options);
  }

  /** Posts `body` to an app's Request URL as Slack does, signed with `signingSecret`. */
  sendHttp(url: string, body: unknown, options: SendHttpOptions = {}): Promise<HttpReply> {
    return sendSigned(url, body, options.secret ?? this.signingSecret, options);
  }

  async close(): Promise<void> {
    this.#waiters = [];
    await this.#socket.close();
    this.#server.closeAllConnections();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const url = new URL(req.url ?? '/', this.#baseUrl);
    const parsed = parseArgs(req.headers['content-type'], Buffer.concat(chunks).toString('utf8'));
    for (const [key, value] of url.searchParams) parsed.args[key] ??= value;

    const api = /^\/api\/([\w.]+)$/.exec(url.pathname);
    const response = /^\/response\/([\w-]+)$/.exec(url.pathname);
    if (api?.[1] !== undefined) this.#webApi(api[1], req, parsed, res);
    else if (response?.[1] !== undefined) this.#responseUrl(response[1], parsed, res);
    else res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
  }

  #webApi(method: string, req: IncomingMessage, parsed: ParsedArgs, res: ServerResponse): void {
    const { token: bodyToken, ...args } = parsed.args;
    const header = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
    const token = header ?? (typeof bodyToken === 'string' ? bodyToken : undefined);
    const call = { method, args, token, at: Date.now() };

    const limit = this.#rateLimits.get(method);
    if (limit && limit.remaining > 0 && limit.when(args)) {
      limit.remaining -= 1;
      const result = { ok: false, error: 'ratelimited' };
      this.#record({ ...call, rateLimited: true, result });
      res.writeHead(429, {
        'content-type': 'application/json',
        'retry-after': String(limit.retryAfter),
      });
      res.end(JSON.stringify(result));
      return;
    }
    const result = parsed.error
      ? { ok: false, error: parsed.error }
      : this.#answer(method, token, args);
    this.#record({ ...call, rateLimited: false, result });
    res.writeHead(200, { 'content-type': 'application/json; charset=utf-8' });
    res.end(JSON.stringify(result));
  }

  #answer(method: string, token: string | undefined, args: Record<string, unknown>): ApiResult {
    const wantsAppToken = method === 'apps.connections.open';
    if (!wantsAppToken && !BOT_METHODS.includes(method))
      return { ok: false, error: 'unknown_method' };
    if (token === undefined || token === '') return { ok: false, error: 'not_authed' };
    if (token !== this.botToken && token !== this.appToken)
      return { ok: false, error: 'invalid_auth' };
    if ((token === this.appToken) !== wantsAppToken) {
      return { ok: false, error: 'not_allowed_token_type' };
    }
    if (wantsAppToken) {
      const ticket = this.#socket.issueTicket();
      const socketUrl = `${this.#baseUrl.replace(/^http/, 'ws')}/socket?ticket=${ticket}&app_id=${APP_ID}`;
      return { ok: true, url: socketUrl };
    }
    return this.#workspace.answer(method, args) ?? { ok: false, error: 'unknown_method' };
  }

  #responseUrl(id: string, parsed: ParsedArgs, res: ServerResponse): void {
    const context = this.#responseUrls.get(id);
    if (!context || parsed.error) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end(parsed.error ?? 'expired_url');
      return;
    }
    const result = this.#workspace.respond(context, parsed.args);
    this.#record({
      method: 'response_url',
      args: parsed.args,
      token: undefined,
      at: Date.now(),
      rateLimited: false,
      result,
    });
    res.writeHead(200, { 'content-type': 'application/json; charset=utf-8' });
    res.end(JSON.stringify(result));
  }

  #record(call: SlackCall): void {
    this.calls.push(call);
    const waiting = this.#waiters.filter((w) => w.matches(call));
    this.#waiters = this.#waiters.filter((w) => !waiting.includes(w));
    for (const waiter of waiting) waiter.resolve(call);
  }
}

type ParsedArgs = { args: Record<string, unknown>; error?: string };

function parseArgs(contentType: string | undefined, raw: string): ParsedArgs {
  if (raw === '') return { args: {} };
  if (contentType?.startsWith('application/json')) {
    try {
      const body: unknown = JSON.parse(raw);
      if (typeof body === 'object' && body !== null && !Array.isArray(body)) {
        return { args: { ...body } };
      }
    } catch {
      // answered below, as Slack answers a body it cannot read
    }
    return { args: {}, error: 'invalid_json' };
  }
  if (contentType?.startsWith('application/x-www-form-urlencoded')) {
    const args: Record<string, unknown> = {};
    for (const [key, value] of new URLSearchParams(raw)) {
      args[key] = STRUCTURED_ARGS.has(key) ? parseJsonOr(value) : value;
    }
    // A response_url also takes a form body with the message as JSON in `payload`.
    const payload = args.payload;
    if (typeof payload === 'string' && Object.keys(args).length === 1) {
      const inner = parseJsonOr(payload);
      if (typeof inner === 'object' && inner !== null) return { args: { ...inner } };
    }
    return { args };
  }
  return { args: {}, error: 'invalid_form_data' };
}

function parseJsonOr(value: string): unknown {
  try {
    return JSON.parse(value);
  } catch {
    return value;
  }
}
