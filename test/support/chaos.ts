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
