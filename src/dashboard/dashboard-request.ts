import type { IncomingMessage } from 'node:http';
import { z } from 'zod';
import type { ChatMessageInput } from '../chat/message.ts';
import { HttpError } from '../http/http-error.ts';
import { readJson } from '../http/read-body.ts';
import type { WebAccess } from './web-access.ts';

/** A name people sign in with, or type on the loopback demo. */
export const Name = z.string().regex(/^[a-z0-9][a-z0-9._-]{0,39}$/, 'must be a lower-case name');

/** The person behind a dashboard request, or the refusal as an HTTP error. */
export async function signedInPerson(access: WebAccess, req: IncomingMessage): Promise<string> {
  const typed = req.headers['x-coxswain-name'];
  const found = await access.of(
    req,
    typeof typed === 'string' && Name.safeParse(typed).success ? typed : undefined,
  );
  if (!found.ok) throw new HttpError(found.status, found.reason);
  return found.person;
}

/** A posted JSON body, at most `limit` bytes. */
export async function readJsonPost(req: IncomingMessage, limit = 16 * 1024): Promise<unknown> {
  // A JSON content type keeps other sites' plain form posts out (they cannot send one).
  if (!(req.headers['content-type'] ?? '').startsWith('application/json'))
    throw new HttpError(415, 'content-type must be application/json');
  return readJson(req, limit);
}

/** A chat reply as one line, for an error body. */
export function messageText(message: ChatMessageInput): string {
  return [message.headline, message.text].filter(Boolean).join(': ');
}
