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
    await this.#redis
      .multi()
      .incrby(key, Math.round(costUsd * 1e6))
      .expire(key, 2 * 86_400)
      .exec();
  }

  #key(channel: string, now: Date): string {
    return `${this.#prefix}:spend:${channel}:${now.toISOString().slice(0, 10)}`;
  }
}
