/**
 * What client-go's event correlator (tools/record/events_cache.go) does before an event reaches
 * the API server: similar events (same source, object, type and reason, another message) past ten
 * in ten minutes become one "(combined from similar events)" event, repeats are counted on the
 * event they repeat, and a source may say at most 25 things about one object in a burst, then one
 * every five minutes; the rest are dropped. Every cache is a bounded LRU, as in client-go.
 */

export const LRU_ENTRIES = 4096;
export const SPAM_BURST = 25;
/** Tokens per second: one event every five minutes. */
export const SPAM_QPS = 1 / 300;
export const AGGREGATE_MAX_EVENTS = 10;
export const AGGREGATE_INTERVAL_MS = 600 * 1000;
export const COMBINED_PREFIX = '(combined from similar events): ';

export type CorrelatedEvent = {
  source: { component: string; host?: string };
  involvedObject: {
    kind?: string;
    namespace?: string;
    name?: string;
    uid?: string;
    apiVersion?: string;
    fieldPath?: string;
  };
  type: string;
  reason: string;
  message: string;
};

/** What to write: `key` names the series a repeat continues; `count` includes dropped repeats. */
export type Correlation =
  | { skip: true }
  | { skip: false; key: string; message: string; count: number; first?: Observation };

export type Observation = { count: number; firstTimestamp: string; name: string };

/** A map that forgets its least recently used entry past `limit` entries. */
export class LruMap<V> {
  readonly #entries = new Map<string, V>();
  readonly #limit: number;

  constructor(limit: number) {
    this.#limit = limit;
  }

  get size(): number {
    return this.#entries.size;
  }

  get(key: string): V | undefined {
    const value = this.#entries.get(key);
    if (value === undefined) return undefined;
    this.#entries.delete(key);
    this.#entries.set(key, value);
    return value;
  }

  set(key: string, value: V): void {
    this.#entries.delete(key);
    this.#entries.set(key, value);
    if (this.#entries.size <= this.#limit) return;
    const oldest = this.#entries.keys().next();
    if (oldest.done !== true) this.#entries.delete(oldest.value);
  }
}

type Bucket = { tokens: number; at: number };
type Aggregate = { messages: Set<string>; at: number };

export class EventCorrelator {
  readonly #now: () => Date;
  readonly #buckets: LruMap<Bucket>;
  readonly #aggregates: LruMap<Aggregate>;
  readonly #observations: LruMap<Observation>;

  constructor(now: () => Date, entries = LRU_ENTRIES) {
    this.#now = now;
    this.#buckets = new LruMap(entries);
    this.#aggregates = new LruMap(entries);
    this.#observations = new LruMap(entries);
  }

  /** How many keys the caches hold in all, for checking that they stay bounded. */
  get cachedKeys(): number {
    return this.#buckets.size + this.#aggregates.size + this.#observations.size;
  }

  correlate(event: CorrelatedEvent): Correlation {
    const at = this.#now().getTime();
    const { key, message } = this.#aggregate(event, at);
    const previous = this.#observations.get(key);
    const count = (previous?.count ?? 0) + 1;
    // The count is kept even for a dropped event, so the next one written says how many there were.
    this.#observations.set(key, {
      count,
      firstTimestamp: previous?.firstTimestamp ?? '',
      name: previous?.name ?? '',
    });
    if (!this.#accept(spamKey(event), at)) return { skip: true };
    return previous === undefined || previous.name === ''
      ? { skip: false, key, message, count }
      : { skip: false, key, message, count, first: previous };
  }

  /** Remembers the name and first time of the event written for `key`. */
  written(key: string, name: string, firstTimestamp: string, count: number): void {
    this.#observations.set(key, { count, firstTimestamp, name });
  }

  #aggregate(event: CorrelatedEvent, at: number): { key: string; message: string } {
    const similar = aggregateKey(event);
    let record = this.#aggregates.get(similar);
    if (record === undefined || at - record.at > AGGREGATE_INTERVAL_MS) {
      record = { messages: new Set(), at };
    }
    record.messages.add(event.message);
    record.at = at;
    this.#aggregates.set(similar, record);
    if (record.messages.size < AGGREGATE_MAX_EVENTS) {
      return { key: eventKey(event), message: event.message };
    }
    // The set of messages never grows past the limit: the oldest is forgotten.
    const oldest = record.messages.values().next();
    if (oldest.done !== true) record.messages.delete(oldest.value);
    return { key: similar, message: `${COMBINED_PREFIX}${event.message}` };
  }

  /** A token bucket per source and object: full at first, refilled at SPAM_QPS up to the burst. */
  #accept(key: string, at: number): boolean {
    const bucket = this.#buckets.get(key) ?? { tokens: SPAM_BURST, at };
    const elapsed = Math.max(0, at - bucket.at) / 1000;
    const tokens = Math.min(SPAM_BURST, bucket.tokens + elapsed * SPAM_QPS);
    const accepted = tokens >= 1;
    this.#buckets.set(key, { tokens: accepted ? tokens - 1 : tokens, at });
    return accepted;
  }
}

function objectKey(event: CorrelatedEvent): string[] {
  const o = event.involvedObject;
  return [
    event.source.component,
    event.source.host ?? '',
    o.kind ?? '',
    o.namespace ?? '',
    o.name ?? '',
    o.uid ?? '',
    o.apiVersion ?? '',
  ];
}

function spamKey(event: CorrelatedEvent): string {
  return JSON.stringify(objectKey(event));
}

function aggregateKey(event: CorrelatedEvent): string {
  return JSON.stringify([...objectKey(event), event.type, event.reason]);
}

function eventKey(event: CorrelatedEvent): string {
  return JSON.stringify([
    ...objectKey(event),
    event.involvedObject.fieldPath ?? '',
    event.type,
    event.reason,
    event.message,
  ]);
}
