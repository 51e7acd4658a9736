import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';

/**
 * A Lua script sent by its SHA1 (EVALSHA), so a request pays one short command rather than the
 * script's text; the text goes once more only when the server does not have it (NOSCRIPT: a new
 * or restarted server, a failover to a replica that never ran it).
 */
export class LuaScript {
  readonly #lua: string;
  readonly #sha: string;
  readonly #keys: number;

  constructor(lua: string, numberOfKeys: number) {
    this.#lua = lua;
    this.#sha = createHash('sha1').update(lua).digest('hex');
    this.#keys = numberOfKeys;
  }

  async run(redis: Pick<Redis, 'evalsha' | 'eval'>, ...keysAndArgs: string[]): Promise<unknown> {
    return this.#send(redis, this.#keys, keysAndArgs);
  }

  /** For a script whose number of keys varies from call to call (`numberOfKeys` unused). */
  async runWithKeys(
    redis: Pick<Redis, 'evalsha' | 'eval'>,
    keys: readonly string[],
    args: readonly string[],
  ): Promise<unknown> {
    return this.#send(redis, keys.length, [...keys, ...args]);
  }

  async #send(redis: Pick<Redis, 'evalsha' | 'eval'>, keys: number, keysAndArgs: string[]) {
    try {
      return await redis.evalsha(this.#sha, keys, ...keysAndArgs);
    } catch (error) {
      if (!(error instanceof Error) || !error.message.startsWith('NOSCRIPT')) throw error;
      return redis.eval(this.#lua, keys, ...keysAndArgs);
    }
  }
}
