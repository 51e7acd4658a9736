import { randomBytes } from 'node:crypto';

/** Discord's epoch, 2015-01-01T00:00:00Z; snowflakes count milliseconds from it. */
const discordEpoch = 1_420_070_400_000n;
let increment = 0n;

/**
 * A real snowflake (timestamp, worker, process, increment), so it has the 17 to 19 digits that
 * @discordjs/rest looks for when it buckets routes by their major parameter.
 */
export function snowflake(at = Date.now()): string {
  increment = (increment + 1n) % 4096n;
  return (((BigInt(at) - discordEpoch) << 22n) | (1n << 17n) | (1n << 12n) | increment).toString();
}

/** Discord writes timestamps in ISO 8601 with an explicit offset. */
export function timestamp(at = Date.now()): string {
  return new Date(at).toISOString().replace('Z', '+00:00');
}

/** Token-shaped random text: URL-safe base64, as Discord's tokens and session ids are. */
export function randomText(bytes: number): string {
  return randomBytes(bytes).toString('base64url');
}
