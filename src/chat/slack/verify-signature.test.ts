import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { verifySlackSignature } from './verify-signature.ts';

const secret = 'signing-secret-0123456789';
const body = Buffer.from('{"type":"event_callback"}');
const now = 1_800_000_000_000;
const sign = (ts: number, raw = body, key = secret) =>
  `v0=${createHmac('sha256', key).update(`v0:${ts}:${raw.toString()}`).digest('hex')}`;

describe('verifySlackSignature', () => {
  it('accepts a request signed with the secret within five minutes either way', () => {
    const ts = now / 1000;

    for (const skew of [-299, 0, 299]) {
      const verdict = verifySlackSignature(
        secret,
        { timestamp: String(ts + skew), signature: sign(ts + skew) },
        body,
        now,
      );
      expect(verdict).toEqual({ ok: true });
    }
  });

  it.each([
    ['more than five minutes old', -301, undefined, 'five minutes'],
    ['more than five minutes ahead', 301, undefined, 'five minutes'],
    ['signed with another secret', 0, 'another-secret-000000', 'does not match'],
  ])('refuses a request %s', (_, skew, key, reason) => {
    const ts = now / 1000 + skew;

    const verdict = verifySlackSignature(
      secret,
      { timestamp: String(ts), signature: sign(ts, body, key) },
      body,
      now,
    );

    expect(verdict.ok ? '' : verdict.reason).toContain(reason);
  });

  it('refuses a body changed after signing, and missing headers', () => {
    const ts = now / 1000;
    const changed = verifySlackSignature(
      secret,
      { timestamp: String(ts), signature: sign(ts) },
      Buffer.from('{"type":"event_callback","x":1}'),
      now,
    );
    const missing = verifySlackSignature(
      secret,
      { timestamp: undefined, signature: undefined },
      body,
      now,
    );

    expect(changed.ok).toBe(false);
    expect(missing.ok ? '' : missing.reason).toContain('missing');
  });
});
