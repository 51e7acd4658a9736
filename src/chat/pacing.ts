import type { Redis } from 'ioredis';

/**
 * Messages per channel are spaced as the platform asks: Slack allows about one message per
 * second per channel, Discord about five per five seconds. One slot per channel in Redis, shared
 * by every bot replica: a message that finds the slot taken waits until it frees.
 */
const RESERVE = `
if redis.call('set', KEYS[1], '1', 'NX', 'PX', ARGV[1]) then return 0 end
local left = redis.call('pttl', KEYS[1])
if left < 0 then return 0 end
return left
`;

export class ChannelPacer {
  readonly #redis: Redis;
  readonly #prefix: string;
  readonly #intervals: Readonly<Record<string, number>>;

  /** `intervals`: the least time between two messages to one channel, by platform, in ms. */
  constructor(redis: Redis, prefix: string, intervals: Readonly<Record<string, number>>) {
    this.#redis = redis;
    this.#prefix = prefix;
    this.#intervals = intervals;
  }

  /** Takes the channel's slot and resolves 0, or resolves how many ms until it frees. */
  async reserve(platform: string, channel: string): Promise<number> {
    const interval = this.#intervals[platform] ?? 0;
    if (interval <= 0) return 0;
    const left = await this.#redis.eval(
      RESERVE,
      1,
      `${this.#prefix}:pace:${platform}:${channel}`,
      String(interval),
    );
    return Number(left);
  }
}

/** The spacing the platforms document, per channel. */
export const PLATFORM_INTERVALS_MS = { slack: 1_000, discord: 1_000, web: 0 } as const;
