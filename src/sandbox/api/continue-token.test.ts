import { describe, expect, it } from 'vitest';
import { decodeContinue, encodeContinue } from './continue-token.ts';
import { ApiError } from './store.ts';

function message(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    if (error instanceof ApiError && error.status === 400) return error.message;
    throw error;
  }
  throw new Error('nothing was thrown');
}

const token = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
const PREFIX = 'invalid continue token: continue key is not valid: ';

describe('continue tokens', () => {
  it('read back the key and version they were made with', () => {
    expect(decodeContinue(encodeContinue(42, 'default/web'), null)).toEqual({
      rv: 42,
      start: 'default/web',
    });
  });

  it.each([
    ['garbage', "invalid character '\\u0081' looking for beginning of value"],
    ['!!', 'illegal base64 data at input byte 0'],
    ['abcde', 'illegal base64 data at input byte 4'],
    ['AA', "invalid character '\\x00' looking for beginning of value"],
    [token('x'), 'json: cannot unmarshal string into Go value of type storage.continueToken'],
    [
      token({ v: 'meta.k8s.io/v1', rv: 'x' }),
      'json: cannot unmarshal string into Go struct field continueToken.rv of type int64',
    ],
    [token({ v: 'v2', rv: 1, start: 'a' }), 'server does not recognize this encoded version'],
    [
      token({ v: 'meta.k8s.io/v1', start: 'a' }),
      'incorrect encoded start resourceVersion (version meta.k8s.io/v1)',
    ],
    [token({ v: 'meta.k8s.io/v1', rv: 3 }), 'encoded start key empty (version meta.k8s.io/v1)'],
    [token({ v: 'meta.k8s.io/v1', rv: 3, start: 'a/../../b' }), 'a/../../b'],
  ])("refuses %j with the storage's words", (value, detail) => {
    expect(message(() => decodeContinue(value, null))).toBe(PREFIX + detail);
  });

  it('is read before the resourceVersion it forbids', () => {
    expect(message(() => decodeContinue('!!', '7'))).toBe(
      `${PREFIX}illegal base64 data at input byte 0`,
    );
  });

  it('may not be sent with a resourceVersion', () => {
    expect(message(() => decodeContinue(encodeContinue(3, 'a/b'), '7'))).toBe(
      'specifying resource version is not allowed when using continue',
    );
  });
});
