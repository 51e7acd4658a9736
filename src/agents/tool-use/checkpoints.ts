import type { Redis } from 'ioredis';
import { RunState } from './state.ts';

export type CheckpointStore = {
  load(runId: string): Promise<RunState | undefined>;
  save(runId: string, state: RunState): Promise<void>;
};

/** A job's lock as BullMQ holds it: the key, and the token of the worker that holds it. */
export type JobLock = { key: string; token: string };

/** This worker no longer holds the run's job: another has taken it over, and goes on alone. */
export class LostLockError extends Error {
  constructor(runId: string) {
    super(`lost the lock on run ${runId}; another worker has taken it over`);
    this.name = 'LostLockError';
  }
}

const SAVE_IF_LOCKED = `
if KEYS[2] ~= '' and redis.call('get', KEYS[2]) ~= ARGV[3] then return 0 end
redis.call('set', KEYS[1], ARGV[1], 'EX', ARGV[2])
return 1
`;

/** Run checkpoints in Redis, one key per run, kept a week after the last write. */
const KEEP_SECONDS = 7 * 24 * 3600;

export class Checkpoints implements CheckpointStore {
  readonly #redis: Redis;
  readonly #prefix: string;
  readonly #lock: JobLock | undefined;

  constructor(redis: Redis, prefix: string, lock?: JobLock) {
    this.#redis = redis;
    this.#prefix = prefix;
    this.#lock = lock;
  }

  /**
   * The same store for a worker holding `lock`: a save by a worker whose lock was taken over is
   * refused, so two workers never interleave one run's checkpoints.
   */
  withLock(lock: JobLock | undefined): Checkpoints {
    return new Checkpoints(this.#redis, this.#prefix, lock);
  }

  async load(runId: string): Promise<RunState | undefined> {
    const text = await this.#redis.get(this.#key(runId));
    if (text === null) return undefined;
    return RunState.parse(JSON.parse(text));
  }

  async save(runId: string, state: RunState): Promise<void> {
    const saved = await this.#redis.eval(
      SAVE_IF_LOCKED,
      2,
      this.#key(runId),
      this.#lock?.key ?? '',
      JSON.stringify(state),
      String(KEEP_SECONDS),
      this.#lock?.token ?? '',
    );
    if (saved !== 1) throw new LostLockError(runId);
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
