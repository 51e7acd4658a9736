import type { Redis } from 'ioredis';

/**
 * Slows down guessing tokens: failed sign-ins are counted per name and per client address for a
 * window, in Redis so that every bot replica counts together. Past a limit, sign-in is refused
 * until the window ends, even with the right token; a successful sign-in clears its name's count
 * (not its address's, which a person with a token of their own could otherwise reset).
 */
const WINDOW_SECONDS = 300;
const LIMITS = { name: 5, client: 20 } as const;

/** Counts a failure; the window starts with the first one. */
const FAIL = `
local n = redis.call('INCR', KEYS[1])
if n == 1 then redis.call('EXPIRE', KEYS[1], ARGV[1]) end
return n
`;

export class LoginThrottle {
  readonly #redis: Redis;
  readonly #prefix: string;

  constructor(redis: Redis, prefix: string) {
    this.#redis = redis;
    this.#prefix = `${prefix}:login-failures`;
  }

  /** Seconds to wait before the next try for this name or from this client; 0 when none. */
  async wait(name: string, client: string): Promise<number> {
    const keys = this.#keys(name, client);
    const [counts, ttls] = await Promise.all([
      this.#redis.mget(keys.name, keys.client),
      Promise.all([this.#redis.ttl(keys.name), this.#redis.ttl(keys.client)]),
    ]);
    const over = (count: string | null | undefined, limit: number, ttl: number) => {
      if (Number(count ?? 0) < limit) return 0;
      // Over the limit with no expiry cannot happen (the script sets one); wait a window then.
      return ttl === -1 ? WINDOW_SECONDS : Math.max(0, ttl);
    };
    return Math.max(over(counts[0], LIMITS.name, ttls[0]), over(counts[1], LIMITS.client, ttls[1]));
  }

  async failed(name: string, client: string): Promise<void> {
    const keys = this.#keys(name, client);
    await Promise.all([
      this.#redis.eval(FAIL, 1, keys.name, String(WINDOW_SECONDS)),
      this.#redis.eval(FAIL, 1, keys.client, String(WINDOW_SECONDS)),
    ]);
  }

  async succeeded(name: string): Promise<void> {
    await this.#redis.del(this.#keys(name, '').name);
  }

  #keys(name: string, client: string) {
    return { name: `${this.#prefix}:name:${name}`, client: `${this.#prefix}:client:${client}` };
  }
}
