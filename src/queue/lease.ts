import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';

/**
 * A lease in Redis, for work that one process of several must do at a time (copying the audit
 * stream to files, keeping a cluster's status fresh). Its holder renews it well within `ms`; a
 * holder that dies stops renewing, and another takes the lease once it lapses.
 */

/** Takes the lease, or renews it for its holder. KEYS: lease. ARGV: holder, ms. */
const HOLD = `
local holder = redis.call('get', KEYS[1])
if holder and holder ~= ARGV[1] then return 0 end
redis.call('set', KEYS[1], ARGV[1], 'PX', ARGV[2])
return 1
`;

const RELEASE = `
if redis.call('get', KEYS[1]) == ARGV[1] then redis.call('del', KEYS[1]) end
return 1
`;

export class Lease {
  readonly #redis: Redis;
  readonly #key: string;
  readonly #ms: number;
  readonly #holder = randomUUID();

  constructor(redis: Redis, key: string, ms: number) {
    this.#redis = redis;
    this.#key = key;
    this.#ms = ms;
  }

  /** Takes the lease when it is free, or renews it when this process holds it; false otherwise. */
  async hold(): Promise<boolean> {
    return (await this.#redis.eval(HOLD, 1, this.#key, this.#holder, String(this.#ms))) === 1;
  }

  /** Lets the lease go at once, so another process need not wait for it to lapse. */
  async release(): Promise<void> {
    await this.#redis.eval(RELEASE, 1, this.#key, this.#holder);
  }
}
