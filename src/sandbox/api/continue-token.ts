import { goJsonSyntaxError } from './go-json-syntax.ts';
import { ApiError } from './store.ts';

/**
 * A list's `continue` token in the storage's own shape: unpadded URL-safe base64 of
 * `{"v":"meta.k8s.io/v1","rv":N,"start":"namespace/name"}`, the key the next page starts at.
 * A token that does not read so is refused with the storage's words.
 */
const VERSION = 'meta.k8s.io/v1';
const ALPHABET = /^[A-Za-z0-9_-]$/;

export type ContinueFrom = { rv: number; start: string };

export function encodeContinue(rv: number, start: string): string {
  return Buffer.from(JSON.stringify({ v: VERSION, rv, start })).toString('base64url');
}

/** A token, read before the request's resourceVersion is looked at (which it forbids). */
export function decodeContinue(token: string, resourceVersion: string | null): ContinueFrom {
  const fields = tokenFields(token);
  const { v, rv, start } = fields;
  if (v !== VERSION) throw invalid('server does not recognize this encoded version');
  if (rv === 0) throw invalid(`incorrect encoded start resourceVersion (version ${VERSION})`);
  if (start === '') throw invalid(`encoded start key empty (version ${VERSION})`);
  const key = start.startsWith('/') ? start : `/${start}`;
  if (cleanPath(key) !== key) throw invalid(start);
  if (resourceVersion !== null && resourceVersion !== '' && resourceVersion !== '0')
    throw new ApiError(
      400,
      'BadRequest',
      'specifying resource version is not allowed when using continue',
    );
  return { rv, start: key.slice(1) };
}

/** The decoded token's fields, with Go's zero values for the ones it leaves out. */
function tokenFields(token: string): { v: string; rv: number; start: string } {
  const bytes = rawUrlBase64(token);
  const syntax = goJsonSyntaxError(bytes);
  if (syntax !== undefined) throw invalid(syntax);
  const parsed: unknown = JSON.parse(bytes.toString('utf8'));
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    const kind = parsed === null ? 'null' : Array.isArray(parsed) ? 'array' : typeof parsed;
    if (kind === 'null') return { v: '', rv: 0, start: '' };
    throw invalid(`json: cannot unmarshal ${kind} into Go value of type storage.continueToken`);
  }
  const fields = parsed as Record<string, unknown>;
  const field = (name: string, goType: string, ok: (value: unknown) => boolean): unknown => {
    const value = Object.hasOwn(fields, name) ? fields[name] : undefined;
    if (value === undefined || value === null || ok(value)) return value;
    const kind = Array.isArray(value)
      ? 'array'
      : typeof value === 'object'
        ? 'object'
        : typeof value;
    throw invalid(
      `json: cannot unmarshal ${kind} into Go struct field continueToken.${name} of type ${goType}`,
    );
  };
  const v = field('v', 'string', (x) => typeof x === 'string');
  const rv = field('rv', 'int64', (x) => typeof x === 'number' && Number.isInteger(x));
  const start = field('start', 'string', (x) => typeof x === 'string');
  return {
    v: typeof v === 'string' ? v : '',
    rv: typeof rv === 'number' ? rv : 0,
    start: typeof start === 'string' ? start : '',
  };
}

/** Go's `base64.RawURLEncoding.DecodeString`: newlines skipped, no padding, strict alphabet. */
function rawUrlBase64(token: string): Buffer {
  let kept = 0;
  let lastAt = -1;
  for (let i = 0; i < token.length; i++) {
    const char = token[i] ?? '';
    if (char === '\n' || char === '\r') continue;
    if (!ALPHABET.test(char)) throw invalid(`illegal base64 data at input byte ${i}`);
    kept++;
    lastAt = i;
  }
  if (kept % 4 === 1) throw invalid(`illegal base64 data at input byte ${lastAt}`);
  return Buffer.from(token.replace(/[\r\n]/g, ''), 'base64url');
}

/** Go's `path.Clean` on a key that starts with `/`. */
function cleanPath(key: string): string {
  const parts: string[] = [];
  for (const part of key.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') parts.pop();
    else parts.push(part);
  }
  return `/${parts.join('/')}`;
}

function invalid(detail: string): ApiError {
  return new ApiError(
    400,
    'BadRequest',
    `invalid continue token: continue key is not valid: ${detail}`,
  );
}
