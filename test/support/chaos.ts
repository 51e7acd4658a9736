import { Redis } from 'ioredis';
import type { FakeSlack } from './slack-api.ts';
/**
 * What the chaos suites share: a seeded random number generator, so that the points at which a
 * process is killed can be drawn again. Each suite prints its seed in every failure message;
 * `CHAOS_SEED=<seed> npx vitest run test/integration/<file>` replays the same draws.
 */
export type Chaos = {
  seed: number;
  /** A float in [0, 1). */
  next(): number;
  /** An integer in [min, max]. */
  between(min: number, max: number): number;
  /** What a failure message starts with. */
  label: string;
};

export function chaos(): Chaos {
  const given = Number(process.env.CHAOS_SEED);
  const seed =
    Number.isInteger(given) && given > 0 ? given : 1 + Math.floor(Math.random() * 2 ** 31);
  // mulberry32: small, fast and good enough to spread kill points.
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
  return {
    seed,
    next,
    between: (min, max) => min + Math.floor(next() * (max - min + 1)),
    label: `CHAOS_SEED=${seed}`,
  };
}

/** Keys that occur more than once, with their counts. */
export function repeated<T>(values: Iterable<T>): Map<T, number> {
  const counts = new Map<T, number>();
  for (const value of values) counts.set(value, (counts.get(value) ?? 0) + 1);
  return new Map([...counts].filter(([, n]) => n > 1));
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Messages in Slack that no outbox delivery claims as its own: what a delivery posted twice
 * leaves behind (the second post's record replaces the first's). Each delivery records the
 * message it posted (`msgref:delivery:*`), so once the outbox is idle every message the bot
 * posted is some delivery's, and a message posted twice is one too many.
 */
export async function unclaimedPosts(
  slack: FakeSlack,
  redisUrl: string,
  prefix: string,
): Promise<string[]> {
  const redis = new Redis(redisUrl);
  try {
    const keys = await redis.keys(`${prefix}:msgref:delivery:slack:*`);
    const claimed = new Set(keys.length === 0 ? [] : await redis.mget(...keys));
    const ids = [...claimed].join(' ');
    return slack.calls
      .filter((c) => c.method === 'chat.postMessage' && !c.rateLimited && c.result.ok)
      .map((c) => String(c.result.ts))
      .filter((ts) => !ids.includes(ts));
  } finally {
    redis.disconnect();
  }
}
