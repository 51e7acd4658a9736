import { EventEmitter } from 'node:events';
import type { Redis } from 'ioredis';
import type { Logger } from '../../observability/logger.ts';
import { type ConsoleEntry, ConsoleEntry as EntrySchema, type StoredEntry } from './entry.ts';

/** Channels every console shows, even before anything was said in them. */
const DEFAULT_CHANNELS = ['alerts', 'general'] as const;
const HISTORY_LENGTH = 1_000;
const DELIVERY_TTL_SECONDS = 24 * 3_600;

/**
 * Appends once per delivery id: a retried outbox job finds its marker and gets the first id back.
 * Refuses (nil) to open a channel beyond the limit, when one is given.
 * KEYS: stream, channel set, delivery marker. ARGV: entry JSON, channel, events channel,
 * history length, marker TTL, has-marker flag, channel limit (0: none).
 */
const APPEND = `
if ARGV[7] ~= '0' and redis.call('SISMEMBER', KEYS[2], ARGV[2]) == 0
  and redis.call('SCARD', KEYS[2]) >= tonumber(ARGV[7]) then
  return false
end
if ARGV[6] == '1' then
  local existing = redis.call('GET', KEYS[3])
  if existing then return existing end
end
local id = redis.call('XADD', KEYS[1], 'MAXLEN', '~', ARGV[4], '*', 'entry', ARGV[1])
redis.call('SADD', KEYS[2], ARGV[2])
if ARGV[6] == '1' then redis.call('SET', KEYS[3], id, 'EX', ARGV[5]) end
redis.call('PUBLISH', ARGV[3], cjson.encode({ channel = ARGV[2], id = id, entry = ARGV[1] }))
return id
`;

const APPEND_COMMAND = 'coxswainWebAppend';
type AppendCommand = (...args: string[]) => Promise<unknown>;

type StoreEvents = {
  entry: [StoredEntry];
  /** The live feed was interrupted; listeners should catch up from the stream. */
  resync: [];
};

/**
 * The web console's channels in Redis: one capped stream per channel for history, and a pub/sub
 * channel so that every bot replica sees every new entry at once.
 */
/** Beside each replace key, the version its message shows: an older one arriving late is dropped. */
const VERSION_SUFFIX = '#version';
const SET_KEYED = `
redis.call('hsetnx', KEYS[1], ARGV[1], ARGV[2])
local shown = tonumber(redis.call('hget', KEYS[1], ARGV[3]) or '-1')
if tonumber(ARGV[4]) > shown then redis.call('hset', KEYS[1], ARGV[3], ARGV[4]) end
redis.call('expire', KEYS[1], ARGV[5])
`;

export class WebStore extends EventEmitter<StoreEvents> {
  readonly #redis: Redis;
  readonly #subscriber: Redis;
  readonly #prefix: string;
  readonly #log: Logger;

  /** The append script, sent once and then called by its hash (ioredis reloads it if Redis lost it). */
  readonly #append: AppendCommand;

  constructor(redis: Redis, subscriber: Redis, prefix: string, log: Logger) {
    super();
    redis.defineCommand(APPEND_COMMAND, { numberOfKeys: 3, lua: APPEND });
    this.#append = (...args) =>
      (redis as unknown as Record<string, AppendCommand>)[APPEND_COMMAND]?.(...args) ??
      Promise.reject(new Error('append script not defined'));
    this.setMaxListeners(0);
    this.#redis = redis;
    this.#subscriber = subscriber;
    this.#prefix = `${prefix}:web`;
    this.#log = log;
  }

  /**
   * Starts following new entries; resolves once subscribed, which waits for Redis. Each time the
   * feed (re)starts, listeners are told to catch up: what was published while it was not
   * following is in the streams.
   */
  async start(): Promise<void> {
    let subscribed = false;
    this.#subscriber.on('message', (_channel: string, raw: string) => this.#onPublished(raw));
    this.#subscriber.on('ready', () => {
      // ioredis subscribes again by itself after a reconnect.
      if (subscribed) this.emit('resync');
    });
    await this.#subscriber.subscribe(this.#eventsChannel);
    subscribed = true;
    this.emit('resync');
  }

  /**
   * Adds an entry to a channel and tells every bot replica. With `deliveryId`, a second append of
   * the same delivery returns the first id. With `maxChannels`, a new channel beyond that many is
   * refused: resolves undefined.
   */
  async append(
    channel: string,
    entry: ConsoleEntry,
    options: { deliveryId?: string; maxChannels?: number } = {},
  ): Promise<string | undefined> {
    const { deliveryId, maxChannels = 0 } = options;
    const id = await this.#append(
      this.#streamKey(channel),
      this.#channelsKey,
      `${this.#prefix}:delivered:${deliveryId ?? 'none'}`,
      JSON.stringify(entry),
      channel,
      this.#eventsChannel,
      String(HISTORY_LENGTH),
      String(DELIVERY_TTL_SECONDS),
      deliveryId === undefined ? '0' : '1',
      String(maxChannels),
    );
    return id === null ? undefined : String(id);
  }

  /**
   * The id of the first message posted under `key` in a channel, for editing it, and the newest
   * version shown under it.
   */
  async keyed(channel: string, key: string): Promise<{ id: string; version: number } | undefined> {
    const [id, version] = await this.#redis.hmget(
      this.#keysKey(channel),
      key,
      `${key}${VERSION_SUFFIX}`,
    );
    return id === null || id === undefined ? undefined : { id, version: Number(version) || 0 };
  }

  /** The first message's id (kept once) and the version now shown, if newer than the one kept. */
  async setKeyed(channel: string, key: string, id: string, version = 0): Promise<void> {
    await this.#redis.eval(
      SET_KEYED,
      1,
      this.#keysKey(channel),
      key,
      id,
      `${key}${VERSION_SUFFIX}`,
      String(version),
      String(7 * 86_400),
    );
  }

  /** One entry by its id, as stored. */
  async entry(channel: string, id: string): Promise<StoredEntry | undefined> {
    const rows = await this.#redis.xrange(this.#streamKey(channel), id, id);
    const fields = rows[0]?.[1];
    return fields === undefined ? undefined : this.#decode(channel, id, fields[1]);
  }

  /** Entries after `afterId`, oldest first; without it, the latest `limit`. */
  async history(
    channel: string,
    afterId: string | undefined,
    limit: number,
  ): Promise<StoredEntry[]> {
    const key = this.#streamKey(channel);
    const rows =
      afterId === undefined
        ? (await this.#redis.xrevrange(key, '+', '-', 'COUNT', limit)).reverse()
        : await this.#redis.xrange(key, `(${afterId}`, '+', 'COUNT', limit);
    const entries: StoredEntry[] = [];
    for (const [id, fields] of rows) {
      const entry = this.#decode(channel, id, fields[1]);
      if (entry !== undefined) entries.push(entry);
    }
    return entries;
  }

  #keysKey(channel: string): string {
    return `${this.#prefix}:web:keys:${channel}`;
  }

  async channels(): Promise<string[]> {
    const stored = await this.#redis.smembers(this.#channelsKey);
    return [...new Set([...DEFAULT_CHANNELS, ...stored.sort()])];
  }

  get #eventsChannel() {
    return `${this.#prefix}:events`;
  }

  get #channelsKey() {
    return `${this.#prefix}:channels`;
  }

  #streamKey(channel: string) {
    return `${this.#prefix}:channel:${channel}`;
  }

  #onPublished(raw: string) {
    try {
      const { channel, id, entry } = JSON.parse(raw) as {
        channel: string;
        id: string;
        entry: string;
      };
      const decoded = this.#decode(channel, id, entry);
      if (decoded !== undefined) this.emit('entry', decoded);
    } catch {
      this.#log.warn('unreadable console event ignored');
    }
  }

  #decode(channel: string, id: string, raw: string | undefined): StoredEntry | undefined {
    if (raw === undefined) return undefined;
    let json: unknown;
    try {
      json = JSON.parse(raw);
    } catch {
      json = undefined;
    }
    const parsed = EntrySchema.safeParse(json);
    if (!parsed.success) {
      this.#log.warn({ channel, id }, 'unreadable console entry skipped');
      return undefined;
    }
    return { ...parsed.data, id, channel };
  }
}
