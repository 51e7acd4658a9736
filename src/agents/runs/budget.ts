import type { Redis } from 'ioredis';
import type { Budgets } from '../../config/index.ts';
import type { Budget } from '../tool-use/run-agent.ts';

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
 * without bound. Kept two days, in micro-dollars so that increments stay exact.
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

  /** Adds a run's cost once: a retried or resumed run is not counted again. */
  async add(channel: string, costUsd: number, runId: string, now = new Date()): Promise<void> {
    const counted = await this.#redis.set(
      `${this.#prefix}:spent-run:${runId}`,
      '1',
      'EX',
      2 * 86_400,
      'NX',
    );
    if (counted !== 'OK') return;
    const key = this.#key(channel, now);
    const micros = Math.round(costUsd * 1e6);
    await this.#redis
      .multi()
      .incrby(key, micros)
      .expire(key, 2 * 86_400)
      .hincrby(this.#dailyKey, day(now), micros)
      .exec();
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

  #key(channel: string, now: Date): string {
    return `${this.#prefix}:spend:${channel}:${day(now)}`;
  }
}

/** Days of deployment-wide spend kept for the dashboard. */
const DAYS_KEPT = 90;

function day(at: Date): string {
  return at.toISOString().slice(0, 10);
}

function daysAgo(now: Date): Date {
  return new Date(now.getTime() - DAYS_KEPT * 86_400_000);
}
