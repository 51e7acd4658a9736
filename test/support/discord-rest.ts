import type { IncomingMessage, ServerResponse } from 'node:http';
import { fail, matchPath, type Reply, type Route, type UploadedFile } from './discord-http.ts';

/**
 * The HTTP half of the local Discord: reads a request under /api/v10 (JSON, or multipart with
 * `payload_json` and files as discord.js uploads them), records it, checks the bot token,
 * answers the 429s a test asked for, and hands the rest to the first route that matches.
 */
export type RecordedRequest = {
  method: string;
  /** The path under /api/v10, e.g. `/channels/123/messages`; the full path when outside it. */
  path: string;
  query: Record<string, string>;
  body: unknown;
  /** Names of the files uploaded with the request. */
  files: string[];
  /** The status the local Discord answered, 0 while it is still being handled. */
  status: number;
  at: number;
};

export type RouteMatcher =
  | string
  | RegExp
  | ((request: { method: string; path: string }) => boolean);

type RateLimit = {
  matches: (method: string, path: string) => boolean;
  left: number;
  seconds: number;
};

type LostAnswers = { matches: (method: string, path: string) => boolean; left: number };

const prefix = '/api/v10';

export class RestServer {
  readonly requests: RecordedRequest[] = [];
  readonly #routes: Route[];
  readonly #token: string;
  readonly #limits: RateLimit[] = [];
  readonly #lost: LostAnswers[] = [];
  readonly #changed: () => void;

  constructor(routes: Route[], token: string, changed: () => void) {
    this.#routes = routes;
    this.#token = token;
    this.#changed = changed;
  }

  /**
   * The next `times` requests that match answer 429 with Retry-After and X-RateLimit headers. A
   * string is `METHOD /path` with `:name` for any segment, e.g. `POST /channels/:id/messages`.
   */
  rateLimit(matcher: RouteMatcher, times: number, seconds: number): void {
    this.#limits.push({ matches: matching(matcher), left: times, seconds });
  }

  /**
   * The next `times` requests that match are carried out, then answered 502 Bad Gateway, as when
   * Discord's answer is lost on the way back: @discordjs/rest sends the same request again.
   */
  loseAnswers(matcher: RouteMatcher, times: number): void {
    this.#lost.push({ matches: matching(matcher), left: times });
  }

  async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const method = req.method ?? 'GET';
    const versioned = url.pathname.startsWith(`${prefix}/`);
    const path = versioned ? url.pathname.slice(prefix.length) : url.pathname;
    const raw = await readAll(req);
    const parsed = await parseBody(raw, req.headers['content-type'] ?? '');
    const recorded: RecordedRequest = {
      method,
      path: readable(path),
      query: Object.fromEntries(url.searchParams),
      body: parsed.body,
      files: parsed.files.map((f) => f.name),
      status: 0,
      at: Date.now(),
    };
    this.requests.push(recorded);
    const answer = (reply: Reply, headers: Record<string, string> = {}) => {
      recorded.status = reply.status;
      if (reply.body === undefined) {
        res.writeHead(reply.status, headers).end();
      } else {
        res.writeHead(reply.status, { 'content-type': 'application/json', ...headers });
        res.end(JSON.stringify(reply.body));
      }
      this.#changed();
    };
    const matched = versioned ? this.#match(method, path) : undefined;
    if (matched === undefined || matched === 'wrong method') {
      const reply =
        matched === 'wrong method'
          ? fail(405, 0, '405: Method Not Allowed')
          : fail(404, 0, '404: Not Found');
      return answer(reply);
    }
    const { route, params } = matched;
    if (route.auth && req.headers.authorization !== `Bot ${this.#token}`) {
      return answer(fail(401, 0, '401: Unauthorized'));
    }
    if (parsed.invalid) return answer(fail(400, 50109, 'The request body contains invalid JSON.'));
    const limit = this.#limits.find((l) => l.left > 0 && l.matches(method, path));
    if (limit !== undefined) {
      limit.left -= 1;
      return answer(
        {
          status: 429,
          body: {
            message: 'You are being rate limited.',
            retry_after: limit.seconds,
            global: false,
          },
        },
        {
          'retry-after': String(limit.seconds),
          'x-ratelimit-limit': '5',
          'x-ratelimit-remaining': '0',
          'x-ratelimit-reset': ((Date.now() + limit.seconds * 1000) / 1000).toFixed(3),
          'x-ratelimit-reset-after': limit.seconds.toFixed(3),
          'x-ratelimit-bucket': `${method}:${route.pattern}`.replaceAll(/[^a-z0-9]/gi, ''),
          'x-ratelimit-scope': 'user',
        },
      );
    }
    try {
      const reply = await route.handle({
        method,
        path,
        params,
        query: url.searchParams,
        body: parsed.body,
        files: parsed.files,
      });
      const lost = this.#lost.find((l) => l.left > 0 && l.matches(method, path));
      if (lost === undefined || reply.status >= 300) return answer(reply);
      lost.left -= 1;
      answer({ status: 502, body: { message: '502: Bad Gateway', code: 0 } });
    } catch (error) {
      answer({ status: 500, body: { message: `local Discord failed: ${String(error)}`, code: 0 } });
    }
  }

  #match(method: string, path: string) {
    let otherMethod = false;
    for (const route of this.#routes) {
      const params = matchPath(route.pattern, path);
      if (params === undefined) continue;
      if (route.method === method) return { route, params };
      otherMethod = true;
    }
    return otherMethod ? ('wrong method' as const) : undefined;
  }
}

function matching(matcher: RouteMatcher): (method: string, path: string) => boolean {
  return (method, path) => {
    if (typeof matcher === 'function') return matcher({ method, path });
    if (matcher instanceof RegExp) return matcher.test(`${method} ${path}`);
    const [wantMethod, wantPath = ''] = matcher.split(' ');
    return wantMethod === method && matchPath(wantPath, path) !== undefined;
  };
}

function readable(path: string): string {
  try {
    return decodeURI(path);
  } catch {
    return path;
  }
}

async function readAll(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

async function parseBody(
  raw: Buffer,
  contentType: string,
): Promise<{ body: unknown; files: UploadedFile[]; invalid: boolean }> {
  if (raw.length === 0) return { body: undefined, files: [], invalid: false };
  if (contentType.startsWith('multipart/form-data')) {
    const form = await new Response(new Uint8Array(raw), {
      headers: { 'content-type': contentType },
    }).formData();
    const files: UploadedFile[] = [];
    for (const value of form.values()) {
      if (typeof value !== 'string') {
        files.push({
          name: value.name,
          size: value.size,
          contentType: value.type || 'application/octet-stream',
        });
      }
    }
    const payload = form.get('payload_json');
    const body = typeof payload === 'string' ? json(payload) : { value: undefined };
    return { body: body?.value, files, invalid: body === undefined };
  }
  const body = json(raw.toString('utf8'));
  return { body: body?.value, files: [], invalid: body === undefined };
}

function json(text: string): { value: unknown } | undefined {
  try {
    return { value: JSON.parse(text) };
  } catch {
    return undefined;
  }
}
