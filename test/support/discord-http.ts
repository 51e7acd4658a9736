import type { z } from 'zod';
import { invalidFormBody } from './discord-bodies.ts';

/** The pieces every REST route of the local Discord shares: its request, its answer, its errors. */
export type UploadedFile = { name: string; size: number; contentType: string };

export type RouteRequest = {
  method: string;
  path: string;
  params: Readonly<Record<string, string>>;
  query: URLSearchParams;
  body: unknown;
  files: UploadedFile[];
};

export type Reply = { status: number; body?: unknown };

export type Route = {
  method: string;
  /** A path under /api/v10 with `:name` for each variable segment. */
  pattern: string;
  /** False for the routes an interaction token authorises instead of the bot token. */
  auth: boolean;
  handle: (request: RouteRequest) => Reply | Promise<Reply>;
};

export function ok(body: unknown, status = 200): Reply {
  return { status, body };
}

export const noContent: Reply = { status: 204 };

/** Discord's JSON error: `{ message, code }`, with the status it comes with. */
export function fail(status: number, code: number, message: string): Reply {
  return { status, body: { message, code } };
}

export const errors = {
  unknownChannel: () => fail(404, 10003, 'Unknown Channel'),
  unknownMessage: () => fail(404, 10008, 'Unknown Message'),
  unknownWebhook: () => fail(404, 10015, 'Unknown Webhook'),
  unknownInteraction: () => fail(404, 10062, 'Unknown interaction'),
  unknownApplication: () => fail(404, 10002, 'Unknown Application'),
  notAuthor: () => fail(403, 50005, 'Cannot edit a message authored by another user'),
  emptyMessage: () => fail(400, 50006, 'Cannot send an empty message'),
  invalidWebhookToken: () => fail(401, 50027, 'Invalid Webhook Token'),
  alreadyAcknowledged: () => fail(400, 40060, 'Interaction has already been acknowledged.'),
  threadExists: () => fail(400, 160004, 'A thread has already been created for this message'),
  missingPermissions: () => fail(403, 50013, 'Missing Permissions'),
  invalidBody: (error: z.ZodError): Reply => ({ status: 400, body: invalidFormBody(error) }),
  invalidResponseType: (): Reply => ({
    status: 400,
    body: {
      message: 'Invalid Form Body',
      code: 50035,
      errors: {
        type: {
          _errors: [
            {
              code: 'INTERACTION_RESPONSE_TYPE_INVALID',
              message: 'Interaction response type is invalid',
            },
          ],
        },
      },
    },
  }),
};

/** The params of `path` if it matches `pattern`, segment by segment. */
export function matchPath(pattern: string, path: string): Record<string, string> | undefined {
  const want = pattern.split('/');
  const got = path.split('/');
  if (want.length !== got.length) return undefined;
  const params: Record<string, string> = {};
  for (const [i, segment] of want.entries()) {
    const actual = decodeURIComponent(got[i] ?? '');
    if (segment.startsWith(':')) params[segment.slice(1)] = actual;
    else if (segment !== actual) return undefined;
  }
  return params;
}

/** A route's param; routes only read the names their pattern declares. */
export function param(request: RouteRequest, name: string): string {
  const value = request.params[name];
  if (value === undefined) throw new Error(`route has no :${name}`);
  return value;
}
