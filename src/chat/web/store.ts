import { EventEmitter } from 'node:events';
import type { Redis } from 'ioredis';
import type { Logger } from '../../observability/logger.ts';
import {
  type ConsoleEntry,
  ConsoleEntry as EntrySchema,
  type StoredEntry,
  type ThreadSummary,
} from './entry.ts';
import { APPEND, relation, SET_KEYED, THREAD_SUFFIX, VERSION_SUFFIX } from './store-scripts.ts';

/** Channels every console shows, even before anything was said in them. */
const DEFAULT_CHANNELS = ['alerts', 'general'] as const;
const HISTORY_LENGTH = 1_000;
const DELIVERY_TTL_SECONDS = 24 * 3_600;
/** As long as a replace key is kept: a thread is found by its message's key for that long. */
const THREAD_TTL_SECONDS = 7 * 86_400;

const APPEND_COMMAND = 'coxswainWebAppend';
type AppendCommand = (...args: string[]) => Promise<unknown>;

type StoreEvents = {
  entry: [StoredEntry];
  /** The live feed was interrupted; listeners should catch up from the stream. */
  resync: [];
};

/** The message the bot posted under a replace key: its first entry, version and thread. */
export type KeyedEntry = { id: string; version: number; thread: string | undefined };

/**
 * The web console's channels in Redis: one capped stream per channel for history, and a pub/sub
 * channel so that every bot replica sees every new entry at once. A thread is the entries whose
 * `thread` names its first message; each message keeps the list of entries about it and its
 * thread's reply count, so a thread reads whole even when its first message is old.
 */
export class WebStore extends EventEmitter<StoreEvents> {
  readonly #redis: Redis;
  readonly #subscriber: Redis;
  readonly #prefix: string;
  readonly #log: Logger;

  /** The append script, sent once and then called by its hash (ioredis reloads it if Redis lost it). */
  readonly #append: AppendCommand;

  /** Console channels a binding names: listed before anything is said in them. */
  readonly #bound: readonly string[];

  constructor(
    redis: Redis,
    subscriber: Redis,
    prefix: string,
    log: Logger,
    bound: readonly string[] = [],
  ) {
    super();
    redis.defineCommand(APPEND_COMMAND, { numberOfKeys: 5, lua: APPEND });
    this.#append = (...args) =>
      (redis as unknown as Record<string, AppendCommand>)[APPEND_COMMAND]?.(...args) ??
      Promise.reject(new Error('append script not defined'));
    this.setMaxListeners(0);
    this.#redis = redis;
    this.#subscriber = subscriber;
    this.#prefix = `${prefix}:web`;
    this.#log = log;
    this.#bound = bound;
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
    const about = entry.thread ?? entry.replaces ?? 'none';
    const id = await this.#append(
      this.#streamKey(channel),
      this.#channelsKey,
      `${this.#prefix}:delivered:${deliveryId ?? 'none'}`,
      this.#aboutKey(channel, about),
      this.#summaryKey(channel, about),
      JSON.stringify(entry),
      channel,
      this.#eventsChannel,
      String(HISTORY_LENGTH),
      String(DELIVERY_TTL_SECONDS),
      deliveryId === undefined ? '0' : '1',
      String(maxChannels),
      relation(entry),
      entry.at,
      String(THREAD_TTL_SECONDS),
    );
    return id === null ? undefined : String(id);
  }

  /**
   * The id of the first message posted under `key` in a channel, for editing it, the newest
   * version shown under it, and the thread it is in.
   */
  async keyed(channel: string, key: string): Promise<KeyedEntry | undefined> {
    const [id, version, thread] = await this.#redis.hmget(
      this.#keysKey(channel),
      key,
      `${key}${VERSION_SUFFIX}`,
      `${key}${THREAD_SUFFIX}`,
    );
    if (id === null || id === undefined) return undefined;
    return { id, version: Number(version) || 0, thread: thread ?? undefined };
  }

  /**
   * The first message's id and thread (kept once), and the version now shown, if newer than the
   * one kept.
   */
  async setKeyed(
    channel: string,
    key: string,
    first: { id: string; thread?: string | undefined },
    version = 0,
  ): Promise<void> {
    await this.#redis.eval(
      SET_KEYED,
      1,
      this.#keysKey(channel),
      key,
      first.id,
      `${key}${VERSION_SUFFIX}`,
      String(version),
      String(THREAD_TTL_SECONDS),
      first.thread ?? '',
      `${key}${THREAD_SUFFIX}`,
    );
  }

  /** One entry by its id, as stored. */
  async entry(channel: string, id: string): Promise<StoredEntry | undefined> {
    const rows = await this.#redis.xrange(this.#streamKey(channel), id, id);
    const fields = rows[0]?.[1];
    return fields === undefined ? undefined : this.#decode(channel, id, fieldsOf(fields));
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
      const entry = this.#decode(channel, id, fieldsOf(fields));
      if (entry !== undefined) entries.push(entry);
    }
    return this.#withSummaries(channel, entries);
  }

  /**
   * A message's thread, oldest first: its first entry, then every entry about it still kept (its
   * new versions, the replies and theirs). Empty when the channel has no such message.
   */
  async thread(channel: string, root: string): Promise<StoredEntry[]> {
    const ids = await this.#redis.lrange(this.#aboutKey(channel, root), 0, -1);
    const pipeline = this.#redis.pipeline();
    for (const id of [root, ...ids]) pipeline.xrange(this.#streamKey(channel), id, id);
    const entries: StoredEntry[] = [];
    for (const [error, rows] of (await pipeline.exec()) ?? []) {
      if (error) throw error;
      const [id, fields] = (rows as [string, string[]][])[0] ?? [];
      const entry =
        id === undefined || fields === undefined
          ? undefined
          : this.#decode(channel, id, fieldsOf(fields));
      if (entry !== undefined) entries.push(entry);
    }
    return this.#withSummaries(channel, entries);
  }

  /** The entries, each message in the channel (not a reply) with its thread's summary. */
  async #withSummaries(channel: string, entries: StoredEntry[]): Promise<StoredEntry[]> {
    const messages = entries.filter((entry) => entry.thread === undefined);
    if (messages.length === 0) return entries;
    const pipeline = this.#redis.pipeline();
    for (const entry of messages)
      pipeline.hmget(this.#summaryKey(channel, entry.replaces ?? entry.id), 'count', 'latestAt');
    const summaries = (await pipeline.exec()) ?? [];
    messages.forEach((entry, index) => {
      const [error, values] = summaries[index] ?? [];
      if (error) throw error;
      const replies = summaryOf(values as (string | null)[] | undefined);
      if (replies !== undefined) entry.replies = replies;
    });
    return entries;
  }

  #keysKey(channel: string): string {
    return `${this.#prefix}:web:keys:${channel}`;
  }

  /** The ids of the entries about a message: its new versions, its replies and theirs. */
  #aboutKey(channel: string, id: string): string {
    return `${this.#prefix}:thread:${channel}:${id}:entries`;
  }

  /** A message's thread: how many replies, and when the latest came. */
  #summaryKey(channel: string, id: string): string {
    return `${this.#prefix}:thread:${channel}:${id}:replies`;
  }

  async channels(): Promise<string[]> {
    const stored = await this.#redis.smembers(this.#channelsKey);
    return [...new Set([...DEFAULT_CHANNELS, ...[...this.#bound, ...stored].sort()])];
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
      const event = JSON.parse(raw) as {
        channel: string;
        id: string;
        entry: string;
        reply?: number;
        count?: number;
        latestAt?: string;
      };
      const decoded = this.#decode(event.channel, event.id, {
        entry: event.entry,
        reply: event.reply === undefined ? undefined : String(event.reply),
      });
      if (decoded === undefined) return;
      if (event.count !== undefined && event.latestAt !== undefined)
        decoded.replies = { count: event.count, latestAt: event.latestAt };
      this.emit('entry', decoded);
    } catch {
      this.#log.warn('unreadable console event ignored');
    }
  }

  #decode(channel: string, id: string, fields: StreamFields): StoredEntry | undefined {
    if (fields.entry === undefined) return undefined;
    let json: unknown;
    try {
      json = JSON.parse(fields.entry);
    } catch {
      json = undefined;
    }
    const parsed = EntrySchema.safeParse(json);
    if (!parsed.success) {
      this.#log.warn({ channel, id }, 'unreadable console entry skipped');
      return undefined;
    }
    const replyNumber = Number(fields.reply);
    return {
      ...parsed.data,
      id,
      channel,
      ...(Number.isSafeInteger(replyNumber) && replyNumber > 0 ? { replyNumber } : {}),
    };
  }
}

/** What a stream entry holds: the entry's JSON, and a reply's number in its thread. */
type StreamFields = { entry: string | undefined; reply: string | undefined };

function fieldsOf(flat: string[]): StreamFields {
  const fields: StreamFields = { entry: undefined, reply: undefined };
  for (let i = 0; i + 1 < flat.length; i += 2) {
    if (flat[i] === 'entry') fields.entry = flat[i + 1];
    if (flat[i] === 'reply') fields.reply = flat[i + 1];
  }
  return fields;
}

function summaryOf(values: (string | null)[] | undefined): ThreadSummary | undefined {
  const [count, latestAt] = values ?? [];
  const replies = Number(count);
  if (!Number.isSafeInteger(replies) || replies < 1 || typeof latestAt !== 'string')
    return undefined;
  return { count: replies, latestAt };
}
