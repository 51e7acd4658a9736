import { ApiError } from './store.ts';

/**
 * The query parameters of a read, checked as the API server decodes them: integers as Go's
 * `strconv.ParseInt` reads them (a bad one fails the decoding of `ListOptions` with 400), a
 * `resourceVersion` as the storage's versioner reads it (a bad one is a 500 in Kubernetes 1.32,
 * where the cache's error reaches the client unconverted), and the `fieldManager` of a write.
 */

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
const UINT64_MAX = 2n ** 64n - 1n;
const FIELD_MANAGER_MAX = 128;

/** Go's `strconv.ParseInt(value, 10, 64)`, its error worded as Go words it. */
export function parseGoInt64(value: string): bigint {
  if (!/^[+-]?\d+$/.test(value))
    throw new ApiError(400, 'BadRequest', `strconv.ParseInt: parsing "${value}": invalid syntax`);
  const parsed = BigInt(value);
  if (parsed < INT64_MIN || parsed > INT64_MAX)
    throw new ApiError(
      400,
      'BadRequest',
      `strconv.ParseInt: parsing "${value}": value out of range`,
    );
  return parsed;
}

/** `limit` and `timeoutSeconds` of a list or watch (the first of each is the one read); the limit. */
export function checkListIntegers(query: URLSearchParams): bigint {
  const timeout = query.get('timeoutSeconds');
  if (timeout !== null) parseGoInt64(timeout);
  const limit = query.get('limit');
  return limit === null ? 0n : parseGoInt64(limit);
}

/**
 * A read's `resourceVersion`: empty and "0" mean "any", anything else must be a uint64. A paged
 * list (a `limit`, with a version other than "0") is served by the storage itself, which turns
 * the versioner's error into a 400; everything else meets the cache's unconverted 500.
 */
export function parseListResourceVersion(value: string | null, limit: bigint): bigint {
  try {
    return parseResourceVersion(value);
  } catch (error) {
    if (!(error instanceof ApiError) || limit <= 0n) throw error;
    throw new ApiError(400, 'BadRequest', `invalid resource version: ${error.message}`);
  }
}

export function parseResourceVersion(value: string | null): bigint {
  if (value === null || value === '' || value === '0') return 0n;
  const reason = !/^\d+$/.test(value)
    ? 'invalid syntax'
    : BigInt(value) > UINT64_MAX
      ? 'value out of range'
      : undefined;
  if (reason === undefined) return BigInt(value);
  const message = `resourceVersion: Invalid value: "${value}": strconv.ParseUint: parsing "${value}": ${reason}`;
  throw new ApiError(500, '', message);
}

const OPTIONS_OF: Record<string, string> = {
  POST: 'CreateOptions',
  PUT: 'UpdateOptions',
  PATCH: 'PatchOptions',
  DELETE: 'DeleteOptions',
};

type Cause = { reason: string; message: string; field: string };

/**
 * A write's `fieldManager` (at most 128 bytes, every character printable; a delete has none) and
 * `dryRun` (only "All"), refused together as invalid options of the verb, as `CreateOptions`,
 * `UpdateOptions`, `PatchOptions` or `DeleteOptions` are validated. Whether it is a dry run; a
 * read never decodes `dryRun` and is never one.
 */
export function checkWriteOptions(query: URLSearchParams, method: string): boolean {
  const options = OPTIONS_OF[method];
  if (options === undefined) return false;
  const causes = options === 'DeleteOptions' ? [] : fieldManagerProblems(query.get('fieldManager'));
  const dryRun = query.getAll('dryRun');
  if (!dryRun.every((v) => v === 'All')) {
    const quoted = dryRun.map((v) => JSON.stringify(v)).join(', ');
    const message = `Unsupported value: []string{${quoted}}: supported values: "All"`;
    causes.push({ reason: 'FieldValueNotSupported', message, field: 'dryRun' });
  }
  if (causes.length === 0) return dryRun.length > 0;
  const listed = causes.map((c) => `${c.field}: ${c.message}`);
  const text = listed.length === 1 ? listed[0] : `[${listed.join(', ')}]`;
  throw new ApiError(422, 'Invalid', `${options}.meta.k8s.io "" is invalid: ${text}`, {
    group: 'meta.k8s.io',
    kind: options,
    causes,
  });
}

function fieldManagerProblems(value: string | null): Cause[] {
  if (value === null) return [];
  const causes: Cause[] = [];
  if (Buffer.byteLength(value) > FIELD_MANAGER_MAX)
    causes.push({
      reason: 'FieldValueTooLong',
      message: `Too long: must have at most ${FIELD_MANAGER_MAX} bytes`,
      field: 'fieldManager',
    });
  let position = 0;
  for (const char of value) {
    if (!isGoPrintable(char))
      causes.push({
        reason: 'FieldValueInvalid',
        message: `Invalid value: ${JSON.stringify(value)}: invalid character ${goUnicode(char)} (at position ${position})`,
        field: 'fieldManager',
      });
    position += Buffer.byteLength(char);
  }
  return causes;
}

/** Go's `unicode.IsPrint`, close enough for a header-sized string: no controls, no odd spaces. */
function isGoPrintable(char: string): boolean {
  if (char === ' ') return true;
  return /^[\p{L}\p{M}\p{N}\p{P}\p{S}]$/u.test(char);
}

/** Go's `%#U` of a character that is not printable: `U+0007`, without the character itself. */
function goUnicode(char: string): string {
  const code = (char.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0');
  return `U+${code}`;
}
