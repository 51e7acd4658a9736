import { describe, expect, it } from 'vitest';
import {
  checkListIntegers,
  checkWriteOptions,
  parseListResourceVersion,
  parseResourceVersion,
} from './query-options.ts';
import { ApiError } from './store.ts';

function thrown(run: () => unknown): ApiError {
  try {
    run();
  } catch (error) {
    if (error instanceof ApiError) return error;
    throw error;
  }
  throw new Error('nothing was thrown');
}

const query = (text: string) => new URLSearchParams(text);

describe('the query parameters of a read', () => {
  it.each([
    ['limit=abc', 'strconv.ParseInt: parsing "abc": invalid syntax'],
    ['timeoutSeconds=x', 'strconv.ParseInt: parsing "x": invalid syntax'],
    ['limit=1.5', 'strconv.ParseInt: parsing "1.5": invalid syntax'],
    [
      'limit=9223372036854775808',
      'strconv.ParseInt: parsing "9223372036854775808": value out of range',
    ],
  ])('refuses %s as the decoding of ListOptions does, with 400', (text, message) => {
    const error = thrown(() => checkListIntegers(query(text)));

    expect([error.status, error.reason, error.message]).toEqual([400, 'BadRequest', message]);
  });

  it('takes signed and plain integers', () => {
    expect(() => checkListIntegers(query('limit=-1&timeoutSeconds=%2B30'))).not.toThrow();
  });

  it('answers a resourceVersion that is not a uint64 with the 500 the storage gives, without a reason', () => {
    const error = thrown(() => parseResourceVersion('abc'));

    expect(error.status).toBe(500);
    expect(error.reason).toBe('');
    expect(error.message).toBe(
      'resourceVersion: Invalid value: "abc": strconv.ParseUint: parsing "abc": invalid syntax',
    );
    expect(thrown(() => parseResourceVersion('-1')).message).toContain(
      'parsing "-1": invalid syntax',
    );
    expect(parseResourceVersion('')).toBe(0n);
    expect(parseResourceVersion('0')).toBe(0n);
    expect(parseResourceVersion('42')).toBe(42n);
  });

  it("answers a bad resourceVersion of a paged list with the storage's 400", () => {
    const paged = thrown(() => parseListResourceVersion('abc', 500n));
    const whole = thrown(() => parseListResourceVersion('abc', 0n));

    expect([paged.status, paged.reason]).toEqual([400, 'BadRequest']);
    expect(paged.message).toBe(
      'invalid resource version: resourceVersion: Invalid value: "abc": strconv.ParseUint: parsing "abc": invalid syntax',
    );
    expect(whole.status).toBe(500);
    expect(checkListIntegers(query('limit=500'))).toBe(500n);
  });
});

describe('the options of a write', () => {
  it('refuses a dryRun other than All as invalid options of the verb', () => {
    const error = thrown(() => checkWriteOptions(query('dryRun=Maybe'), 'DELETE'));

    expect(error.status).toBe(422);
    expect(error.reason).toBe('Invalid');
    expect(error.message).toBe(
      'DeleteOptions.meta.k8s.io "" is invalid: dryRun: Unsupported value: []string{"Maybe"}: supported values: "All"',
    );
    expect(error.details).toEqual({
      group: 'meta.k8s.io',
      kind: 'DeleteOptions',
      causes: [
        {
          reason: 'FieldValueNotSupported',
          message: 'Unsupported value: []string{"Maybe"}: supported values: "All"',
          field: 'dryRun',
        },
      ],
    });
  });

  it('refuses a fieldManager over 128 bytes, together with a bad dryRun', () => {
    const long = 'm'.repeat(129);

    const error = thrown(() => checkWriteOptions(query(`fieldManager=${long}&dryRun=x`), 'POST'));

    expect(error.message).toBe(
      'CreateOptions.meta.k8s.io "" is invalid: [fieldManager: Too long: must have at most 128 bytes, dryRun: Unsupported value: []string{"x"}: supported values: "All"]',
    );
    expect(() =>
      checkWriteOptions(query(`fieldManager=${'m'.repeat(128)}`), 'PATCH'),
    ).not.toThrow();
  });

  it('tells a dry run, and ignores dryRun on a read', () => {
    expect(checkWriteOptions(query('dryRun=All'), 'PUT')).toBe(true);
    expect(checkWriteOptions(query(''), 'POST')).toBe(false);
    expect(checkWriteOptions(query('dryRun=Maybe'), 'GET')).toBe(false);
  });
});
