import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { breakpointCount, MAX_BREAKPOINTS, PromptCache } from './prompt-cache.ts';

/**
 * A local Anthropic Messages API for tests: `POST /v1/messages` answers with scripted turns, in
 * order, and records every request so a test can assert what the model was sent. A turn can be
 * an error (429 or 529, with Retry-After) to exercise the client's back-off. It can take time to
 * answer, as a real model does (`latencyMs`), count the calls it is answering at once (`open`,
 * `peakOpen`), and hold calls until a number of them are open together (`barrier`).
 */
export type ContentBlock =
  | { type: 'text'; text: string }
  | { type: 'tool_use'; id: string; name: string; input: Record<string, unknown> };

export type ScriptedTurn =
  | {
      content: ContentBlock[];
      stopReason?: 'end_turn' | 'tool_use' | 'max_tokens';
      usage?: Partial<Usage>;
    }
  | { status: 429 | 529 | 500; retryAfterSeconds?: number };

export type Usage = {
  input_tokens: number;
  output_tokens: number;
  cache_read_input_tokens: number;
  cache_creation_input_tokens: number;
};

export type RecordedRequest = {
  headers: IncomingMessage['headers'];
  body: MessagesRequest;
  /** The usage the answer reported, once answered. */
  usage?: Usage;
};
export type MessagesRequest = {
  model: string;
  max_tokens: number;
  system?: unknown;
  tools?: { name: string; description?: string; input_schema: unknown; cache_control?: unknown }[];
  messages: { role: 'user' | 'assistant'; content: unknown }[];
  [key: string]: unknown;
};

export class MessagesApi {
  readonly requests: RecordedRequest[] = [];
  #script: ScriptedTurn[] = [];
  /** Chooses the turn from the request when set, instead of the script's order. */
  respond: ((request: MessagesRequest) => ScriptedTurn) | undefined;
  readonly #server: Server;
  #counter = 0;
  /**
   * Usage estimated from the request instead of fixed figures: four characters a token, and
   * prompt caching as the API does it (`PromptCache`: prefixes up to the blocks marked with
   * `cache_control`, at least the minimum cacheable length, read by the requests after).
   */
  estimateUsage = false;
  /** The cache the estimate keeps; replace it for another minimum length or a fresh start. */
  promptCache = new PromptCache();
  /** How long each call takes to be answered, after its request has arrived. */
  latencyMs = 0;
  /** Calls being answered now, and the most answered at once since start (or reset to 0). */
  open = 0;
  peakOpen = 0;
  /**
   * Holds each call until `size` calls are held together, then answers them all: a client that
   * cannot have that many calls open at once waits `maxMs`, and the calls let go then are
   * counted in `timedOut`.
   */
  barrier: { size: number; maxMs: number } | undefined;
  /** Calls the barrier let go after `maxMs` without `size` of them held together. */
  timedOut = 0;
  #held: (() => void)[] = [];

  constructor() {
    this.#server = createServer((req, res) => {
      this.open += 1;
      this.peakOpen = Math.max(this.peakOpen, this.open);
      void this.#handle(req).then(({ status, body, headers }) => {
        this.open -= 1;
        res.writeHead(status, { 'content-type': 'application/json', ...headers });
        res.end(JSON.stringify(body));
      });
    });
  }

  async start(): Promise<string> {
    await new Promise<void>((resolve) => this.#server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    this.#server.closeAllConnections();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  script(...turns: ScriptedTurn[]): void {
    this.#script.push(...turns);
  }

  get pending(): number {
    return this.#script.length;
  }

  /** Waits at the barrier, if one is set, until enough calls are held or its time is up. */
  async #hold(): Promise<void> {
    const barrier = this.barrier;
    if (barrier === undefined) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        this.#held = this.#held.filter((release) => release !== letGo);
        this.timedOut += 1;
        resolve();
      }, barrier.maxMs);
      const letGo = () => {
        clearTimeout(timer);
        resolve();
      };
      this.#held.push(letGo);
      if (this.#held.length >= barrier.size) for (const release of this.#held.splice(0)) release();
    });
  }

  #estimate(body: MessagesRequest, content: ContentBlock[]): Usage {
    const cache = this.promptCache.usage(body);
    return {
      input_tokens: cache.input,
      output_tokens: tokens(content),
      cache_read_input_tokens: cache.cacheRead,
      cache_creation_input_tokens: cache.cacheWrite,
    };
  }

  async #handle(req: IncomingMessage) {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    if (req.method !== 'POST' || !req.url?.startsWith('/v1/messages')) {
      return {
        status: 404,
        body: error('not_found_error', `no route ${req.method} ${req.url}`),
        headers: {},
      };
    }
    const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as MessagesRequest;
    const recorded: RecordedRequest = { headers: req.headers, body };
    this.requests.push(recorded);
    const refused = this.#refusal(body);
    if (refused !== undefined) return refused;
    await this.#hold();
    if (this.latencyMs > 0) await new Promise((resolve) => setTimeout(resolve, this.latencyMs));
    const turn = this.respond?.(body) ?? this.#script.shift();
    if (turn === undefined) {
      return {
        status: 500,
        body: error('api_error', 'the test script has no more turns'),
        headers: {},
      };
    }
    if ('status' in turn) {
      const type =
        turn.status === 429
          ? 'rate_limit_error'
          : turn.status === 529
            ? 'overloaded_error'
            : 'api_error';
      const headers =
        turn.retryAfterSeconds === undefined
          ? {}
          : { 'retry-after': String(turn.retryAfterSeconds) };
      return { status: turn.status, body: error(type, `scripted ${turn.status}`), headers };
    }
    const usage: Usage = this.estimateUsage
      ? this.#estimate(body, turn.content)
      : {
          input_tokens: 100,
          output_tokens: 20,
          cache_read_input_tokens: 0,
          cache_creation_input_tokens: 0,
          ...turn.usage,
        };
    recorded.usage = usage;
    const stopReason =
      turn.stopReason ??
      (turn.content.some((c) => c.type === 'tool_use') ? 'tool_use' : 'end_turn');
    return {
      status: 200,
      headers: { 'request-id': `req_${++this.#counter}` },
      body: {
        id: `msg_${this.#counter}`,
        type: 'message',
        role: 'assistant',
        model: body.model,
        content: turn.content,
        stop_reason: stopReason,
        stop_sequence: null,
        usage,
      },
    };
  }

  /** What the API refuses whatever the script says: more cache breakpoints than it allows. */
  #refusal(body: MessagesRequest) {
    const found = breakpointCount(body);
    if (found <= MAX_BREAKPOINTS) return undefined;
    const message = `A maximum of ${MAX_BREAKPOINTS} blocks with cache_control may be provided. Found ${found}.`;
    return { status: 400, body: error('invalid_request_error', message), headers: {} };
  }
}

function tokens(value: unknown): number {
  return Math.ceil(JSON.stringify(value ?? '').length / 4);
}

function error(type: string, message: string) {
  return { type: 'error', error: { type, message } };
}

export function text(value: string): ContentBlock {
  return { type: 'text', text: value };
}

export function toolUse(id: string, name: string, input: Record<string, unknown>): ContentBlock {
  return { type: 'tool_use', id, name, input };
}
