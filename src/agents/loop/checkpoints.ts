import type { Redis } from 'ioredis';
import { RunState } from './state.ts';

/** Run checkpoints in Redis, one key per run, kept a week after the last write. */
const KEEP_SECONDS = 7 * 24 * 3600;

export class Checkpoints {
  readonly #redis: Redis;
  readonly #prefix: string;

  constructor(redis: Redis, prefix: string) {
    this.#redis = redis;
    this.#prefix = prefix;
  }

  async load(runId: string): Promise<RunState | undefined> {
    const text = await this.#redis.get(this.#key(runId));
    if (text === null) return undefined;
    return RunState.parse(JSON.parse(text));
  }

  async save(runId: string, state: RunState): Promise<void> {
    await this.#redis.set(this.#key(runId), JSON.stringify(state), 'EX', KEEP_SECONDS);
  }

  #key(runId: string): string {
    return `${this.#prefix}:run:${runId}`;
  }
}
