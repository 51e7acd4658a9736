import type { Redis } from 'ioredis';
import { LuaScript } from '../queue/lua-script.ts';
import type { Platform } from '../shared/channel.ts';

/**
 * The platform's ids of the bot's own messages, in Redis so every bot replica shares them: which
 * message a replace key names (to edit it in place), and which outbox deliveries were posted
 * already (so a retried job does not post twice).
 */
const REF_TTL_SECONDS = 7 * 86_400;
const DELIVERY_TTL_SECONDS = 86_400;

/**
 * Both records as one command: a MULTI that a Redis restart cuts between MULTI and EXEC is
 * refused as a whole (EXECABORT) after the message was posted, and the job's retry would post it
 * again; one EVAL is resent whole by the client when the connection comes back.
 */
const RECORD_DELIVERY = `
redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[3])
if KEYS[2] then redis.call('SET', KEYS[2], ARGV[2], 'EX', ARGV[4]) end
return 1`;

export class MessageRefs {
  readonly #redis: Redis;
  readonly #prefix: string;
  readonly #wait: Readonly<{ replicas: number; timeoutMs: number }> | undefined;

  /**
   * `wait`: after each record, wait (Redis WAIT, on `redis`, which should then be a connection of
   * its own) until that many replicas have it, so a failover right after a post keeps the record
   * and the job's retry does not post again.
   */
  constructor(
    redis: Redis,
    prefix: string,
    options: { wait?: Readonly<{ replicas: number; timeoutMs: number }> | undefined } = {},
  ) {
    this.#redis = redis;
    this.#prefix = `${prefix}:msgref`;
    this.#wait = options.wait;
  }

  /** The message a replace key names, and the version it shows. */
  async keyed(
    platform: Platform,
    channel: string,
    key: string,
  ): Promise<{ id: string; version: number } | undefined> {
    const value = await this.#redis.get(`${this.#prefix}:key:${platform}:${channel}:${key}`);
    if (value === null) return undefined;
    const at = value.lastIndexOf('|');
    return at < 0
      ? { id: value, version: 0 }
      : { id: value.slice(0, at), version: Number(value.slice(at + 1)) || 0 };
  }

  /**
   * A delivery's message, posted or edited: which delivery it was and, under its replace key, the
   * message and the version it now shows, in one write, so a retry never finds one without the
   * other and posts again.
   */
  async recordDelivery(
    platform: Platform,
    delivery: {
      deliveryId: string;
      place: string;
      replaceKey?: string | undefined;
      version: number;
    },
    id: string,
  ): Promise<void> {
    const keys = [`${this.#prefix}:delivery:${platform}:${delivery.deliveryId}`];
    if (delivery.replaceKey !== undefined)
      keys.push(`${this.#prefix}:key:${platform}:${delivery.place}:${delivery.replaceKey}`);
    await this.#redis.eval(
      RECORD_DELIVERY,
      keys.length,
      ...keys,
      id,
      `${id}|${delivery.version}`,
      DELIVERY_TTL_SECONDS,
      REF_TTL_SECONDS,
    );
    // Fewer replicas in time changes nothing here: the record is on the primary either way.
    if (this.#wait !== undefined) await this.#redis.wait(this.#wait.replicas, this.#wait.timeoutMs);
  }

  async delivered(platform: Platform, deliveryId: string): Promise<string | undefined> {
    return (
      (await this.#redis.get(`${this.#prefix}:delivery:${platform}:${deliveryId}`)) ?? undefined
    );
  }
}

/**
 * Takes an inbound event id once: the platform retries events it thinks were lost, and each
 * should act once. A claim is pending while it is handled and done after; a retry that finds it
 * pending is told to come back later (the first may yet fail), one that finds it done is a
 * duplicate. A claim whose handling failed is released, so the retry is handled.
 */
type Claim = 'claimed' | 'pending' | 'done';

const CLAIM = new LuaScript(
  `
if redis.call('set', KEYS[1], 'pending', 'NX', 'EX', ARGV[1]) then return 'claimed' end
return redis.call('get', KEYS[1]) or 'pending'
`,
  1,
);

export class EventClaims {
  readonly #redis: Redis;
  readonly #prefix: string;

  constructor(redis: Redis, prefix: string) {
    this.#redis = redis;
    this.#prefix = `${prefix}:event`;
  }

  async claim(platform: Platform, eventId: string): Promise<Claim> {
    const state = await CLAIM.run(this.#redis, this.#key(platform, eventId), '60');
    return state === 'claimed' || state === 'done' ? state : 'pending';
  }

  async done(platform: Platform, eventId: string): Promise<void> {
    await this.#redis.set(this.#key(platform, eventId), 'done', 'EX', 3_600);
  }

  async release(platform: Platform, eventId: string): Promise<void> {
    await this.#redis.del(this.#key(platform, eventId));
  }

  #key(platform: Platform, eventId: string): string {
    return `${this.#prefix}:${platform}:${eventId}`;
  }
}
