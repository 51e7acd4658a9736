import type { IncomingMessage } from 'node:http';
import { z } from 'zod';
import { HttpError } from '../../http/http-error.ts';
import { readJson } from '../../http/read-body.ts';
import { formatIssues } from '../../shared/format-issues.ts';
import { WebChannelId } from './entry.ts';

/** The name typed in the console when nobody is signed in. */
export const Author = z
  .string()
  .trim()
  .regex(/^[\p{L}\p{N} ._-]{1,40}$/u, 'must be 1-40 letters, digits, spaces, ".", "_" or "-"')
  .default('web-user');

/**
 * Where people sign in, who they are: nothing is read, posted or clicked without a session, and
 * the typed name is replaced by the signed-in one. Unset, the console is open (loopback only).
 */
export type SignedIn = (
  req: IncomingMessage,
) => Promise<
  | { ok: true; name: string; session: string | undefined }
  | { ok: false; status: number; reason: string }
>;

/** Who is signed in, or undefined when the console has no sign-in; refuses everyone else. */
export async function signedInAs(signedIn: SignedIn | undefined, req: IncomingMessage) {
  if (signedIn === undefined) return undefined;
  const found = await signedIn(req);
  if (!found.ok) throw new HttpError(found.status, `${found.reason} (at /dashboard)`);
  return found;
}

/** The signed-in name, or undefined when the console has no sign-in; refuses everyone else. */
export async function sessionName(
  signedIn: SignedIn | undefined,
  req: IncomingMessage,
): Promise<string | undefined> {
  return (await signedInAs(signedIn, req))?.name;
}

/** A web channel named in a path or query, or a 400. */
export function channelParam(value: string): string {
  const parsed = WebChannelId.safeParse(value);
  if (!parsed.success)
    throw new HttpError(400, `invalid channel: ${parsed.error.issues[0]?.message}`);
  return parsed.data;
}

/** A JSON content type keeps other sites' plain form posts out (they cannot send one). */
function requireJson(req: IncomingMessage): void {
  if (!(req.headers['content-type'] ?? '').startsWith('application/json')) {
    throw new HttpError(415, 'content-type must be application/json');
  }
}

/**
 * A person's post to a channel (a message, a click): who is signed in, the channel from the path,
 * and the JSON body read within `maxBytes` and checked against `schema`, or the HTTP error.
 */
export async function readPost<T>(
  req: IncomingMessage,
  channelValue: string,
  signedIn: SignedIn | undefined,
  body: { schema: z.ZodType<T>; maxBytes: number; what: string },
): Promise<{ signedInName: string | undefined; channel: string; data: T }> {
  const signedInName = await sessionName(signedIn, req);
  const channel = channelParam(channelValue);
  requireJson(req);
  const parsed = body.schema.safeParse(await readJson(req, body.maxBytes));
  if (!parsed.success)
    throw new HttpError(
      400,
      `invalid ${body.what}: ${formatIssues(parsed.error.issues).join('; ')}`,
    );
  return { signedInName, channel, data: parsed.data };
}
