import type { IncomingMessage } from 'node:http';
import type { App, Receiver, ReceiverEvent } from '@slack/bolt';
import { HttpError } from '../../http/http-error.ts';
import { readBody } from '../../http/read-body.ts';
import type { Reply, Route } from '../../http/router.ts';
import type { Logger } from '../../observability/logger.ts';
import { NotYet } from '../../queue/stream-inbox.ts';
import type { InboxRequest, SlackEventInbox } from './event-inbox.ts';
import { EventStillHandled } from './listeners.ts';
import { envelopeProblem } from './payload-shape.ts';
import { verifySlackSignature } from './verify-signature.ts';

/**
 * Bolt's receiver for Slack's HTTP mode, served at `/slack/events` on the bot's own HTTP server
 * (beside the webhook, console and health) instead of a second port. Every request is verified
 * before Bolt sees it: a bad or stale signature is a 401 and nothing is enqueued.
 *
 * Events and button clicks are answered once they are in the Slack inbox (`event-inbox.ts`), one
 * script; Bolt's listeners run after, from there (`process`). Anything else (a slash command,
 * whose answer is the ack's body) is answered once the listeners are done. Either way a request
 * that could not be put in Redis is a 503, so Slack delivers it again.
 */
const SLACK_EVENTS_PATH = '/slack/events';
const BODY_LIMIT = 512 * 1024;
/** Requests whose answer carries nothing: acknowledged once they are in the inbox. */
const DEFERRED_TYPES = new Set(['event_callback', 'block_actions']);

export class SlackHttpReceiver implements Receiver {
  readonly #signingSecret: string;
  readonly #log: Logger;
  readonly #inbox: SlackEventInbox | undefined;
  #app: App | undefined;

  constructor(signingSecret: string, log: Logger, inbox?: SlackEventInbox) {
    this.#signingSecret = signingSecret;
    this.#log = log;
    this.#inbox = inbox;
  }

  init(app: App): void {
    this.#app = app;
  }

  /** The HTTP server is the bot's; nothing to start or stop here. */
  async start(): Promise<void> {}
  async stop(): Promise<void> {}

  route(): Route {
    return { method: 'POST', path: SLACK_EVENTS_PATH, handler: ({ req }) => this.#handle(req) };
  }

  async #handle(req: IncomingMessage): Promise<Reply> {
    const raw = await readBody(req, BODY_LIMIT);
    const verdict = verifySlackSignature(
      this.#signingSecret,
      {
        timestamp: header(req.headers['x-slack-request-timestamp']),
        signature: header(req.headers['x-slack-signature']),
      },
      raw,
    );
    if (!verdict.ok) {
      this.#log.warn({ reason: verdict.reason }, 'slack request refused');
      throw new HttpError(401, `not a verified Slack request: ${verdict.reason}`);
    }
    const contentType = header(req.headers['content-type']) ?? '';
    const text = raw.toString('utf8');
    const body = parseBody(text, contentType);
    if (body.type === 'url_verification' && typeof body.challenge === 'string')
      return { status: 200, body: { challenge: body.challenge } };
    const problem = envelopeProblem(body);
    if (problem !== undefined) {
      this.#log.warn({ problem }, 'slack request refused: not of the shape Slack sends');
      throw new HttpError(400, `not a Slack payload: ${problem}`);
    }
    const retryNum = Number(header(req.headers['x-slack-retry-num']));
    const retry = {
      retryNum: Number.isInteger(retryNum) ? retryNum : undefined,
      retryReason: header(req.headers['x-slack-retry-reason']),
    };
    if (this.#inbox !== undefined && DEFERRED_TYPES.has(String(body.type))) {
      const eventId = typeof body.event_id === 'string' ? body.event_id : undefined;
      await this.#accept(this.#inbox, { body: text, contentType, eventId, ...retry });
      return { status: 200, body: '' };
    }
    return this.#run(body, retry);
  }

  /** Puts a request in the inbox; a 503 when Redis cannot take it, so Slack sends it again. */
  async #accept(inbox: SlackEventInbox, request: InboxRequest): Promise<void> {
    try {
      const outcome = await inbox.accept(request);
      if (outcome === 'duplicate')
        this.#log.debug({ eventId: request.eventId }, 'slack event already accepted');
    } catch (error) {
      this.#log.warn({ err: { message: (error as Error).message } }, 'slack request not queued');
      throw new HttpError(503, 'the request could not be queued; Slack will retry', {
        cause: error,
      });
    }
  }

  /** Bolt's listeners for a request the inbox accepted; throws (to be tried again) when they do. */
  async process(request: InboxRequest): Promise<void> {
    const app = this.#app;
    if (app === undefined) throw new Error('Slack is not ready yet');
    try {
      await app.processEvent({
        body: parseBody(request.body, request.contentType),
        // Answered already, when the request was accepted.
        ack: async () => undefined,
        ...(request.retryNum === undefined ? {} : { retryNum: request.retryNum }),
        ...(request.retryReason === undefined ? {} : { retryReason: request.retryReason }),
      });
    } catch (error) {
      // A reader that died holds the event's claim for the rest of its minute: not a failure.
      if (error instanceof EventStillHandled) throw new NotYet(error.message);
      throw error;
    }
  }

  /** Runs Bolt's listeners now, and answers with what they acknowledged with. */
  async #run(
    body: Record<string, unknown>,
    { retryNum, retryReason }: { retryNum: number | undefined; retryReason: string | undefined },
  ): Promise<Reply> {
    const app = this.#app;
    if (app === undefined) throw new HttpError(503, 'Slack is not ready yet; retry');
    let acked = false;
    let response: unknown;
    const event: ReceiverEvent = {
      body,
      ack: async (answer?: unknown) => {
        if (acked) return;
        acked = true;
        response = answer;
      },
      ...(retryNum === undefined ? {} : { retryNum }),
      ...(retryReason === undefined ? {} : { retryReason }),
    };
    try {
      await app.processEvent(event);
    } catch (error) {
      this.#log.error({ err: error }, 'slack request not handled');
      throw new HttpError(503, 'the request could not be handled; Slack will retry', {
        cause: error,
      });
    }
    if (!acked) {
      // No listener took it (an event type the bot does not handle): acknowledged, nothing done.
      return { status: 200, body: '' };
    }
    if (response === undefined || response === '') return { status: 200, body: '' };
    return typeof response === 'string'
      ? { status: 200, body: response, headers: { 'content-type': 'text/plain; charset=utf-8' } }
      : { status: 200, body: response };
  }
}

function header(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/** Events are JSON; slash commands are form fields; interactions are a form field `payload` of JSON. */
function parseBody(text: string, contentType: string): Record<string, unknown> {
  try {
    if (contentType.startsWith('application/x-www-form-urlencoded')) {
      const form = Object.fromEntries(new URLSearchParams(text));
      const payload = form.payload;
      if (typeof payload !== 'string') return form;
      const parsed: unknown = JSON.parse(payload);
      if (isRecord(parsed)) return parsed;
    } else {
      const parsed: unknown = JSON.parse(text);
      if (isRecord(parsed)) return parsed;
    }
  } catch {
    // Answered below.
  }
  throw new HttpError(400, 'the body is neither a Slack event (JSON) nor a form');
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
