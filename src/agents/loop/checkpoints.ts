import type { Redis } from 'ioredis';
import { RunState } from './state.ts';

export type CheckpointStore = {
  load(runId: string): Promise<RunState | undefined>;
  save(runId: string, state: RunState): Promise<void>;
};

/** Run checkpoints in Redis, one key per run, kept a week after the last write. */
const KEEP_SECONDS = 7 * 24 * 3600;

export class Checkpoints implements CheckpointStore {
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

/** Checkpoints of a run that lives in one process (`coxswain ask`): nothing survives it. */
export class MemoryCheckpoints implements CheckpointStore {
  readonly #states = new Map<string, string>();

  async load(runId: string): Promise<RunState | undefined> {
    const text = this.#states.get(runId);
    return text === undefined ? undefined : RunState.parse(JSON.parse(text));
  }

  async save(runId: string, state: RunState): Promise<void> {
    this.#states.set(runId, JSON.stringify(state));
  }
}
