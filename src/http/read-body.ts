import type { IncomingMessage } from 'node:http';
import { HttpError } from './http-error.ts';

export const MIB = 1024 * 1024;

/**
 * How much of a body over the limit is read and thrown away so that its sender, still sending,
 * reads the 413 instead of a reset connection. A body larger still is cut off.
 */
const DRAIN_LIMIT = 8 * MIB;

/**
 * Reads a request body up to `limit` bytes. A larger one is refused with 413: what is over the
 * limit is never kept, only read and dropped (up to DRAIN_LIMIT more) so the answer arrives.
 */
export function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit + DRAIN_LIMIT) {
    return Promise.reject(tooLarge(req, limit));
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const finish = (error?: HttpError) => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('close', onClose);
      if (error === undefined) resolve(Buffer.concat(chunks, size));
      else reject(error);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size <= limit) chunks.push(chunk);
      else if (size > limit + DRAIN_LIMIT) {
        // Enough read for nothing: stop, and let the server close the connection.
        req.pause();
        finish(tooLarge(req, limit));
      } else chunks.length = 0;
    };
    const onEnd = () => finish(size > limit ? tooLarge(req, limit) : undefined);
    const onClose = () => {
      if (!req.complete) finish(new HttpError(400, 'request body ended before it was complete'));
    };
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('close', onClose);
  });
}

/** Parses a JSON body; a syntax error is the caller's fault and says so. */
export async function readJson(req: IncomingMessage, limit: number): Promise<unknown> {
  return (await readSizedJson(req, limit)).value;
}

/** `readJson`, with the body's size in bytes. */
export async function readSizedJson(
  req: IncomingMessage,
  limit: number,
): Promise<{ value: unknown; bytes: number }> {
  const body = await readBody(req, limit);
  if (body.length === 0) throw new HttpError(400, 'request body is empty; expected JSON');
  try {
    return { value: JSON.parse(body.toString('utf8')), bytes: body.length };
  } catch {
    throw new HttpError(400, 'request body is not valid JSON');
  }
}

/** A body read to its end leaves the connection fit for the next request; one cut off does not. */
function tooLarge(req: IncomingMessage, limit: number): HttpError {
  return new HttpError(413, `request body is larger than ${limit} bytes`, {
    headers: req.complete ? {} : { connection: 'close' },
  });
}
