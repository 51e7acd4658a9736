import type { Redis } from 'ioredis';
import type { Budgets } from '../../config/index.ts';
import { LuaScript } from '../../queue/lua-script.ts';
import type { Budget } from '../tool-use/run-agent.ts';

/**
 * Thrown when a run cannot start yet: its channel has not spent its budget for today, but runs in
 * flight hold the rest of it. Not a failure and not a refusal: the job waits (delayed, its worker
 * slot free for the runs it waits on) and tries again.
 */
export class BudgetHeld extends Error {
  constructor() {
    super("the channel's model budget for today is held by runs in flight; waiting for them");
    this.name = 'BudgetHeld';
  }
}

/** How long a run held back by `BudgetHeld` waits before it tries again. */
export const BUDGET_HELD_RETRY_MS = 2_000;

/** A run's limits from the config's budgets. */
export function runBudget(budgets: Budgets): Budget {
  return {
    maxTurns: budgets.runTurns,
    maxTokens: budgets.runTokens,
    maxCostUsd: budgets.runCostUsd,
  };
}

/**
 * What each channel has spent on models today (UTC), so that one busy channel cannot spend
 * without bound. Kept two days, in micro-dollars so that increments stay exact. A run holds its
 * limit's worth when it starts and settles at its real cost when it ends (`reserve`, `settle`).
 */
export class ChannelSpend {
  readonly #redis: Redis;
  readonly #prefix: string;

  constructor(redis: Redis, prefix: string) {
    this.#redis = redis;
    this.#prefix = prefix;
  }

  async today(channel: string, now = new Date()): Promise<number> {
    const value = await this.#redis.get(this.#key(channel, now));
    return value === null ? 0 : Number(value) / 1e6;
  }

  /**
   * Holds `maxCostUsd` for a run about to start, if the channel's spend today plus what runs in
   * flight hold is still under `limitUsd`; otherwise refuses it. Check and hold are one script,
   * so runs starting at once cannot all pass on the same reading. A run may still end above the
   * limit by its own cost, as one run could before, but no longer by one run per run in flight.
   * A retried or resumed run keeps its hold (the hold is keyed by run id) and is not held twice.
   */
  async reserve(
    channel: string,
    runId: string,
    maxCostUsd: number,
    limitUsd: number,
    now = new Date(),
  ): Promise<{ ok: true } | { ok: false; committedUsd: number; spentUsd: number }> {
    const [ok, committed, spent] = (await RESERVE.run(
      this.#redis,
      this.#key(channel, now),
      this.#heldUntilKey(channel),
      this.#heldKey(channel),
      runId,
      String(Math.round(maxCostUsd * 1e6)),
      String(Math.round(limitUsd * 1e6)),
      String(now.getTime()),
      String(now.getTime() + HOLD_SECONDS * 1000),
      String(HOLD_SECONDS),
    )) as [number, number, number];
    return ok === 1
      ? { ok: true }
      : { ok: false, committedUsd: committed / 1e6, spentUsd: spent / 1e6 };
  }

  /**
   * Replaces a run's hold with what it really cost, in one script. The cost is counted once: a
   * retried or resumed run is not counted again. A run that failed settles at 0, which only
   * drops its hold, so that a retry holds again and is counted when it ends.
   */
  async settle(channel: string, runId: string, costUsd: number, now = new Date()): Promise<void> {
    await SETTLE.run(
      this.#redis,
      this.#key(channel, now),
      this.#heldUntilKey(channel),
      this.#heldKey(channel),
      `${this.#prefix}:spent-run:${runId}`,
      this.#dailyKey,
      runId,
      String(Math.round(costUsd * 1e6)),
      String(2 * 86_400),
      day(now),
    );
  }

  /** What every channel together spent on each of the last `days` days (UTC), oldest first. */
  async perDay(days: number, now = new Date()): Promise<{ day: string; usd: number }[]> {
    const wanted = Array.from({ length: days }, (_, i) =>
      day(new Date(now.getTime() - (days - 1 - i) * 86_400_000)),
    );
    const values = await this.#redis.hmget(this.#dailyKey, ...wanted);
    const old = (await this.#redis.hkeys(this.#dailyKey)).filter((d) => d < day(daysAgo(now)));
    if (old.length > 0) await this.#redis.hdel(this.#dailyKey, ...old);
    return wanted.map((d, i) => ({ day: d, usd: Number(values[i] ?? 0) / 1e6 || 0 }));
  }

  get #dailyKey(): string {
    return `${this.#prefix}:spend-daily`;
  }

  /** Each run in flight's hold, in micro-dollars, by run id. */
  #heldKey(channel: string): string {
    return `${this.#prefix}:spend-held:${channel}`;
  }

  /** When each hold lapses (ms since the epoch), by run id. */
  #heldUntilKey(channel: string): string {
    return `${this.#prefix}:spend-held-until:${channel}`;
  }

  #key(channel: string, now: Date): string {
    return `${this.#prefix}:spend:${channel}:${day(now)}`;
  }
}

/**
 * How long a hold lasts when its run never settles (a worker killed for good, a job removed):
 * far longer than a run takes, so that a live run keeps its hold, and short enough that a lost
 * one blocks its channel's budget for an hour at most. Holds are not kept by day: one taken
 * before midnight UTC counts against the new day until its run settles, on the day it settles.
 * Expired holds are pruned by the next reservation in that channel.
 */
const HOLD_SECONDS = 3600;

// KEYS: today's spend, hold expiries (sorted set), holds (hash).
// ARGV: run id, hold, limit (micro-dollars), now, hold's expiry (ms), keys' TTL (s).
const RESERVE = new LuaScript(
  `
local lapsed = redis.call('zrangebyscore', KEYS[2], '-inf', ARGV[4])
for _, id in ipairs(lapsed) do redis.call('hdel', KEYS[3], id) end
redis.call('zremrangebyscore', KEYS[2], '-inf', ARGV[4])
local spent = tonumber(redis.call('get', KEYS[1]) or '0')
local committed = spent
if redis.call('hexists', KEYS[3], ARGV[1]) == 1 then return {1, committed, spent} end
for _, held in ipairs(redis.call('hvals', KEYS[3])) do committed = committed + tonumber(held) end
if committed >= tonumber(ARGV[3]) then return {0, committed, spent} end
redis.call('hset', KEYS[3], ARGV[1], ARGV[2])
redis.call('zadd', KEYS[2], ARGV[5], ARGV[1])
redis.call('expire', KEYS[2], ARGV[6])
redis.call('expire', KEYS[3], ARGV[6])
return {1, committed, spent}
`,
  3,
);

// KEYS: today's spend, hold expiries, holds, the run's counted marker, deployment-wide daily spend.
// ARGV: run id, cost (micro-dollars), spend's TTL (s), today (UTC).
const SETTLE = new LuaScript(
  `
redis.call('zrem', KEYS[2], ARGV[1])
redis.call('hdel', KEYS[3], ARGV[1])
if tonumber(ARGV[2]) <= 0 then return 0 end
if not redis.call('set', KEYS[4], '1', 'EX', ARGV[3], 'NX') then return 0 end
redis.call('incrby', KEYS[1], ARGV[2])
redis.call('expire', KEYS[1], ARGV[3])
redis.call('hincrby', KEYS[5], ARGV[4], ARGV[2])
return 1
`,
  5,
);

/** Days of deployment-wide spend kept for the dashboard. */
const DAYS_KEPT = 90;

function day(at: Date): string {
  return at.toISOString().slice(0, 10);
}

function daysAgo(now: Date): Date {
  return new Date(now.getTime() - DAYS_KEPT * 86_400_000);
}
