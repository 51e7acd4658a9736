import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';

/**
 * The investigations under way or fresh, by subject (`subject.ts`): the first alert about a
 * subject claims it for the window (15 minutes by default) or until its incident resolves; alerts
 * about the same subject while the claim holds join that investigation instead of starting
 * another.
 */
export type Holder = { runId: string; channel: string; threadKey: string; alertname: string };

/** As long as the runs themselves are kept. */
const RUN_KEPT_SECONDS = 30 * 86_400;

/** KEYS: the subject's claim, the claims of the holder's thread. ARGV: holder JSON, window. */
const CLAIM = `
if redis.call('set', KEYS[1], ARGV[1], 'NX', 'EX', ARGV[2]) then
  redis.call('sadd', KEYS[2], KEYS[1])
  redis.call('expire', KEYS[2], ARGV[2])
  return nil
end
return redis.call('get', KEYS[1])
`;

/** KEYS: the claims of a thread. ARGV: the thread. Drops those claims it still holds. */
const RELEASE = `
for _, key in ipairs(redis.call('smembers', KEYS[1])) do
  local held = redis.call('get', key)
  if held and cjson.decode(held).threadKey == ARGV[1] then redis.call('del', key) end
end
redis.call('del', KEYS[1])
`;

export class Investigations {
  readonly #redis: Redis;
  readonly #prefix: string;

  constructor(redis: Redis, prefix: string) {
    this.#redis = redis;
    this.#prefix = prefix;
  }

  /**
   * True the first time a run is asked for: a notification repeated hours later (Alertmanager's
   * `repeat_interval`) names the same run, which neither starts again nor claims its subject anew.
   */
  async firstTime(runId: string): Promise<boolean> {
    const set = await this.#redis.set(
      `${this.#prefix}:investigation-run:${runId}`,
      '1',
      'EX',
      RUN_KEPT_SECONDS,
      'NX',
    );
    return set === 'OK';
  }

  /** The run was not started after all (its queueing failed): the next notification may. */
  async forget(runId: string): Promise<void> {
    await this.#redis.del(`${this.#prefix}:investigation-run:${runId}`);
  }

  /** Claims the subject for `holder`; or the holder it has, whose investigation this one joins. */
  async claim(subject: string, holder: Holder, windowSeconds: number): Promise<Holder | undefined> {
    const key = `${this.#prefix}:investigation:${createHash('sha256').update(subject).digest('hex').slice(0, 32)}`;
    const held = (await this.#redis.eval(
      CLAIM,
      2,
      key,
      this.#claimsOf(holder.threadKey),
      JSON.stringify(holder),
      String(windowSeconds),
    )) as string | null;
    if (held === null) return undefined;
    const other = JSON.parse(held) as Holder;
    // The same investigation asking again (a retried job) holds it still.
    return other.runId === holder.runId ? undefined : other;
  }

  /**
   * The incident in this thread resolved: the subjects its investigation holds are free, so
   * alerts about them from now on are investigated afresh rather than joined to what is over.
   */
  async release(threadKey: string): Promise<void> {
    await this.#redis.eval(RELEASE, 1, this.#claimsOf(threadKey), threadKey);
  }

  #claimsOf(threadKey: string): string {
    return `${this.#prefix}:investigation-claims:${createHash('sha256').update(threadKey).digest('hex').slice(0, 32)}`;
  }
}
