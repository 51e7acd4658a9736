import type { ServerResponse } from 'node:http';
import { describe, expect, it } from 'vitest';
import { decodeReview } from './review-schemas.ts';

function decodeToken(spec: Record<string, unknown>, query = '') {
  const warnings: unknown[] = [];
  const res = {
    setHeader: (_: string, v: unknown) => warnings.push(v),
  } as unknown as ServerResponse;
  const call = { query: new URLSearchParams(query), res };
  return { decode: () => decodeReview('TokenRequest', { spec }, call), warnings };
}

const prefix = 'TokenRequest in version "v1" cannot be handled as a TokenRequest: ';

describe('decodeReview', () => {
  it('refuses a TokenRequest with wrongly typed fields as the typed decoder does', () => {
    expect(decodeToken({ expirationSeconds: 'abc' }).decode).toThrow(
      `${prefix}json: cannot unmarshal string into Go struct field TokenRequestSpec.spec.expirationSeconds of type int64`,
    );
    expect(decodeToken({ expirationSeconds: 700.5 }).decode).toThrow(
      `${prefix}json: cannot unmarshal number 700.5 into Go struct field TokenRequestSpec.spec.expirationSeconds of type int64`,
    );
    expect(decodeToken({ audiences: 'x' }).decode).toThrow(
      `${prefix}json: cannot unmarshal string into Go struct field TokenRequestSpec.spec.audiences of type []string`,
    );
  });

  it('keeps a well-typed body and warns of, or refuses, unknown fields', () => {
    const ok = decodeToken({ expirationSeconds: 700, audiences: ['a'], extra: 1 });
    const strict = decodeToken({ extra: 1 }, 'fieldValidation=Strict');

    expect(ok.decode()).toEqual({ spec: { expirationSeconds: 700, audiences: ['a'] } });
    expect(ok.warnings).toEqual([['299 - "unknown field \\"spec.extra\\""']]);
    expect(strict.decode).toThrow(`${prefix}strict decoding error: unknown field "spec.extra"`);
  });
});
