import { createHmac } from 'node:crypto';
import { request } from 'node:http';

/**
 * Slack's side of an HTTP delivery (Events API, slash commands, interactivity): the body as
 * Slack encodes it, signed with the app's signing secret, and Slack's retry headers.
 */
export type SendHttpOptions = {
  /** `json` for Events API bodies; `form` for slash commands and interactivity. Default `json`. */
  contentType?: 'json' | 'form';
  /** `X-Slack-Request-Timestamp`, in seconds; default now. */
  timestamp?: number;
  /** Sent as `X-Slack-Signature` instead of the computed one. */
  signature?: string;
  /** Signs with this secret instead of the fake's. */
  secret?: string;
  retryNum?: number;
  retryReason?: string;
};

export type HttpReply = {
  status: number;
  body: string;
  headers: Record<string, string>;
  ms: number;
};

/** `v0=` + hex HMAC-SHA256 of `v0:<timestamp>:<raw body>`, as Slack signs. */
export function slackSignature(secret: string, timestamp: number, rawBody: string): string {
  const digest = createHmac('sha256', secret).update(`v0:${timestamp}:${rawBody}`).digest('hex');
  return `v0=${digest}`;
}

export function encodeBody(body: unknown, contentType: 'json' | 'form'): string {
  if (typeof body === 'string') return body;
  if (contentType === 'json') return JSON.stringify(body);
  const form = new URLSearchParams();
  for (const [key, value] of Object.entries(body as Record<string, unknown>)) {
    form.append(key, typeof value === 'string' ? value : JSON.stringify(value));
  }
  return form.toString();
}

export async function sendSigned(
  url: string,
  body: unknown,
  secret: string,
  options: SendHttpOptions = {},
): Promise<HttpReply> {
  const contentType = options.contentType ?? 'json';
  const raw = encodeBody(body, contentType);
  const timestamp = options.timestamp ?? Math.floor(Date.now() / 1000);
  const headers: Record<string, string> = {
    'content-type':
      contentType === 'json' ? 'application/json' : 'application/x-www-form-urlencoded',
    'content-length': String(Buffer.byteLength(raw)),
    'user-agent': 'Slackbot 1.0 (+https://api.slack.com/robots)',
    'x-slack-request-timestamp': String(timestamp),
    'x-slack-signature': options.signature ?? slackSignature(secret, timestamp, raw),
  };
  if (options.retryNum !== undefined) headers['x-slack-retry-num'] = String(options.retryNum);
  if (options.retryReason !== undefined) headers['x-slack-retry-reason'] = options.retryReason;

  const started = performance.now();
  // node:http without an agent: one connection per delivery, so nothing stays open after a test.
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('error', reject);
      res.on('end', () => {
        const replyHeaders: Record<string, string> = {};
        for (const [name, value] of Object.entries(res.headers)) {
          if (value !== undefined)
            replyHeaders[name] = Array.isArray(value) ? value.join(', ') : value;
        }
        resolve({
          status: res.statusCode ?? 0,
          body: Buffer.concat(chunks).toString('utf8'),
          headers: replyHeaders,
          ms: performance.now() - started,
        });
      });
    });
    req.on('error', reject);
    req.end(raw);
  });
}
