import type { Redis } from 'ioredis';
import {
  type RunRecord,
  type RunState,
  RunState as RunStateSchema,
  type RunView,
  StepRecord,
  type StepState,
} from './run-record.ts';

/**
 * Workflow runs in Redis: one hash per run holding the run's start, its state and each step's
 * record, and a sorted set of recent runs for the dashboard. Every change of a step or of the run
 * is a compare-and-set on the state it leaves, in one script.
 */
export type RunStore = {
  /** Records a new run with every step pending; false when the run exists already. */
  create(run: RunRecord): Promise<boolean>;
  load(runId: string): Promise<RunView | undefined>;
  /** Moves a step from one of `from` to `record`; false (and nothing written) otherwise. */
  setStep(
    runId: string,
    step: string,
    from: readonly StepState[],
    record: StepRecord,
  ): Promise<boolean>;
  /** Moves the run from one of `from` to `state`, with why it ended. */
  setState(
    runId: string,
    from: readonly RunState[],
    state: RunState,
    ended?: { summary: string; finishedAt: string },
  ): Promise<boolean>;
  /** The newest runs first, at most `limit`. */
  recent(limit: number): Promise<RunView[]>;
};

/** Kept a month, like the proposals a run's gates record. */
const KEEP_SECONDS = 30 * 86_400;
const RECENT_KEPT = 500;

const CREATE = `
if redis.call('hsetnx', KEYS[1], 'run', ARGV[1]) == 0 then return 0 end
redis.call('hset', KEYS[1], 'state', 'running')
for i = 4, #ARGV do
  redis.call('hset', KEYS[1], 'state:' .. ARGV[i], 'pending', 'step:' .. ARGV[i], '{"state":"pending"}')
end
redis.call('expire', KEYS[1], ARGV[3])
redis.call('zadd', KEYS[2], ARGV[2], KEYS[1])
redis.call('zremrangebyrank', KEYS[2], 0, -${RECENT_KEPT + 1})
return 1
`;

/** KEYS: run hash. ARGV: field suffix, allowed states (comma-separated), new state, new JSON. */
const SET_STEP = `
local state = redis.call('hget', KEYS[1], 'state:' .. ARGV[1])
if not state then return 0 end
for s in string.gmatch(ARGV[2], '[^,]+') do
  if s == state then
    redis.call('hset', KEYS[1], 'state:' .. ARGV[1], ARGV[3], 'step:' .. ARGV[1], ARGV[4])
    return 1
  end
end
return 0
`;

/** KEYS: run hash. ARGV: allowed states, new state, then field/value pairs. */
const SET_STATE = `
local state = redis.call('hget', KEYS[1], 'state')
if not state then return 0 end
for s in string.gmatch(ARGV[1], '[^,]+') do
  if s == state then
    redis.call('hset', KEYS[1], 'state', ARGV[2])
    for i = 3, #ARGV, 2 do redis.call('hset', KEYS[1], ARGV[i], ARGV[i + 1]) end
    return 1
  end
end
return 0
`;

export class RedisRunStore implements RunStore {
  readonly #redis: Redis;
  readonly #prefix: string;

  constructor(redis: Redis, prefix: string) {
    this.#redis = redis;
    this.#prefix = prefix;
  }

  async create(run: RunRecord): Promise<boolean> {
    const created = await this.#redis.eval(
      CREATE,
      2,
      this.#key(run.runId),
      this.#recentKey,
      JSON.stringify(run),
      String(Date.parse(run.startedAt)),
      String(KEEP_SECONDS),
      ...run.workflow.steps.map((step) => step.name),
    );
    return created === 1;
  }

  async load(runId: string): Promise<RunView | undefined> {
    const hash = await this.#redis.hgetall(this.#key(runId));
    return viewOf(hash);
  }

  async setStep(
    runId: string,
    step: string,
    from: readonly StepState[],
    record: StepRecord,
  ): Promise<boolean> {
    const checked = StepRecord.parse(record);
    const set = await this.#redis.eval(
      SET_STEP,
      1,
      this.#key(runId),
      step,
      from.join(','),
      checked.state,
      JSON.stringify(checked),
    );
    return set === 1;
  }

  async setState(
    runId: string,
    from: readonly RunState[],
    state: RunState,
    ended?: { summary: string; finishedAt: string },
  ): Promise<boolean> {
    const pairs =
      ended === undefined ? [] : ['summary', ended.summary, 'finishedAt', ended.finishedAt];
    const set = await this.#redis.eval(
      SET_STATE,
      1,
      this.#key(runId),
      from.join(','),
      state,
      ...pairs,
    );
    return set === 1;
  }

  async recent(limit: number): Promise<RunView[]> {
    const keys = await this.#redis.zrevrange(this.#recentKey, 0, limit - 1);
    const pipeline = this.#redis.pipeline();
    for (const key of keys) pipeline.hgetall(key);
    const hashes = (await pipeline.exec()) ?? [];
    return hashes.flatMap(([error, hash]) => {
      if (error !== null) return [];
      // One record that cannot be read is left out of the list, not the list's failure.
      try {
        const view = viewOf(hash as Record<string, string>);
        return view === undefined ? [] : [view];
      } catch {
        return [];
      }
    });
  }

  #key(runId: string): string {
    return `${this.#prefix}:workflow-run:${runId}`;
  }

  get #recentKey(): string {
    return `${this.#prefix}:workflow-runs`;
  }
}

function viewOf(hash: Record<string, string>): RunView | undefined {
  if (hash.run === undefined) return undefined;
  const run = JSON.parse(hash.run) as RunRecord;
  const steps: RunView['steps'] = {};
  for (const step of run.workflow.steps) {
    const text = hash[`step:${step.name}`];
    steps[step.name] =
      text === undefined ? { state: 'pending' } : StepRecord.parse(JSON.parse(text));
  }
  return {
    run,
    state: RunStateSchema.catch('running').parse(hash.state),
    summary: hash.summary,
    finishedAt: hash.finishedAt,
    steps,
  };
}

/** Runs of one process (`coxswain workflow run`): the same rules, nothing kept after it. */
export class MemoryRunStore implements RunStore {
  readonly #runs = new Map<string, RunView>();

  async create(run: RunRecord): Promise<boolean> {
    if (this.#runs.has(run.runId)) return false;
    const steps: RunView['steps'] = {};
    for (const step of run.workflow.steps) steps[step.name] = { state: 'pending' };
    this.#runs.set(run.runId, {
      run,
      state: 'running',
      summary: undefined,
      finishedAt: undefined,
      steps,
    });
    return true;
  }

  async load(runId: string): Promise<RunView | undefined> {
    const view = this.#runs.get(runId);
    return view === undefined ? undefined : structuredClone(view);
  }

  async setStep(
    runId: string,
    step: string,
    from: readonly StepState[],
    record: StepRecord,
  ): Promise<boolean> {
    const view = this.#runs.get(runId);
    const current = view?.steps[step];
    if (view === undefined || current === undefined || !from.includes(current.state)) return false;
    view.steps[step] = StepRecord.parse(structuredClone(record));
    return true;
  }

  async setState(
    runId: string,
    from: readonly RunState[],
    state: RunState,
    ended?: { summary: string; finishedAt: string },
  ): Promise<boolean> {
    const view = this.#runs.get(runId);
    if (view === undefined || !from.includes(view.state)) return false;
    view.state = state;
    if (ended !== undefined) {
      view.summary = ended.summary;
      view.finishedAt = ended.finishedAt;
    }
    return true;
  }

  async recent(limit: number): Promise<RunView[]> {
    return [...this.#runs.values()]
      .sort((a, b) => b.run.startedAt.localeCompare(a.run.startedAt))
      .slice(0, limit)
      .map((view) => structuredClone(view));
  }
}
