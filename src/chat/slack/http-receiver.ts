import type { IncomingMessage } from 'node:http';
import type { App, Receiver, ReceiverEvent } from '@slack/bolt';
import { HttpError } from '../../http/http-error.ts';
import { readBody } from '../../http/read-body.ts';
import type { Reply, Route } from '../../http/router.ts';
import type { Logger } from '../../observability/logger.ts';
import { envelopeProblem } from './payload-shape.ts';
import { verifySlackSignature } from './verify-signature.ts';

/**
 * Bolt's receiver for Slack's HTTP mode, served at `/slack/events` on the bot's own HTTP server
 * (beside the webhook, console and health) instead of a second port. Every request is verified
 * before Bolt sees it: a bad or stale signature is a 401 and nothing is enqueued. The answer
 * goes back once the listeners are done, which is once the work is durably queued; a listener
 * that could not queue makes a 503, so Slack delivers the event again.
 */
const SLACK_EVENTS_PATH = '/slack/events';
const BODY_LIMIT = 512 * 1024;

export class SlackHttpReceiver implements Receiver {
  readonly #signingSecret: string;
  readonly #log: Logger;
  #app: App | undefined;

  constructor(signingSecret: string, log: Logger) {
    this.#signingSecret = signingSecret;
    this.#log = log;
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
    const body = parseBody(raw, header(req.headers['content-type']) ?? '');
    if (body.type === 'url_verification' && typeof body.challenge === 'string')
      return { status: 200, body: { challenge: body.challenge } };
    const problem = envelopeProblem(body);
    if (problem !== undefined) {
      this.#log.warn({ problem }, 'slack request refused: not of the shape Slack sends');
      throw new HttpError(400, `not a Slack payload: ${problem}`);
    }
    const app = this.#app;
    if (app === undefined) throw new HttpError(503, 'Slack is not ready yet; retry');
    let acked = false;
    let response: unknown;
    const retryNum = Number(header(req.headers['x-slack-retry-num']));
    const retryReason = header(req.headers['x-slack-retry-reason']);
    const event: ReceiverEvent = {
      body,
      ack: async (answer?: unknown) => {
        if (acked) return;
        acked = true;
        response = answer;
      },
      ...(Number.isInteger(retryNum) ? { retryNum } : {}),
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
function parseBody(raw: Buffer, contentType: string): Record<string, unknown> {
  const text = raw.toString('utf8');
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
