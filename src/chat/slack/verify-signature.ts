import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Slack signs every HTTP request it sends: `v0=` + HMAC-SHA256 of `v0:<timestamp>:<raw body>` with
 * the app's signing secret. A request is taken only with a valid signature and a timestamp
 * within five minutes of now, either way, so a captured request cannot be replayed later.
 */
const MAX_SKEW_SECONDS = 5 * 60;

type Verdict = { ok: true } | { ok: false; reason: string };

export function verifySlackSignature(
  signingSecret: string,
  headers: { timestamp: string | undefined; signature: string | undefined },
  rawBody: Buffer,
  nowMs = Date.now(),
): Verdict {
  const { timestamp, signature } = headers;
  if (timestamp === undefined || signature === undefined)
    return { ok: false, reason: 'missing X-Slack-Request-Timestamp or X-Slack-Signature' };
  if (!/^\d{1,12}$/.test(timestamp))
    return { ok: false, reason: 'X-Slack-Request-Timestamp is not a time' };
  if (Math.abs(nowMs / 1000 - Number(timestamp)) > MAX_SKEW_SECONDS)
    return { ok: false, reason: 'the request timestamp is more than five minutes from now' };
  const expected = Buffer.from(
    `v0=${createHmac('sha256', signingSecret).update(`v0:${timestamp}:`).update(rawBody).digest('hex')}`,
  );
  const given = Buffer.from(signature);
  if (given.length !== expected.length || !timingSafeEqual(given, expected))
    return { ok: false, reason: 'the signature does not match' };
  return { ok: true };
}
