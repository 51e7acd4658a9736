import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';

/**
 * The investigations under way or fresh, by subject (`subject.ts`): the first alert about a
 * subject claims it for the window (15 minutes by default); alerts about the same subject while
 * the claim holds join that investigation instead of starting another.
 */
export type Holder = { runId: string; channel: string; threadKey: string; alertname: string };

const CLAIM = `
if redis.call('set', KEYS[1], ARGV[1], 'NX', 'EX', ARGV[2]) then return nil end
return redis.call('get', KEYS[1])
`;

export class Investigations {
  readonly #redis: Redis;
  readonly #prefix: string;

  constructor(redis: Redis, prefix: string) {
    this.#redis = redis;
    this.#prefix = prefix;
  }

  /** Claims the subject for `holder`; or the holder it has, whose investigation this one joins. */
  async claim(subject: string, holder: Holder, windowSeconds: number): Promise<Holder | undefined> {
    const key = `${this.#prefix}:investigation:${createHash('sha256').update(subject).digest('hex').slice(0, 32)}`;
    const held = (await this.#redis.eval(
      CLAIM,
      1,
      key,
      JSON.stringify(holder),
      String(windowSeconds),
    )) as string | null;
    if (held === null) return undefined;
    const other = JSON.parse(held) as Holder;
    // The same investigation asking again (a retried job) holds it still.
    return other.runId === holder.runId ? undefined : other;
  }
}
