import { ApiException } from '@kubernetes/client-node';
import { z } from 'zod';
import type { StatusSource } from '../commands/status-sources.ts';
import type { Logger } from '../observability/logger.ts';
import { redactText } from '../policy/redact.ts';
import type { Cluster } from '../tools/kubernetes/cluster.ts';
import { wrapKubernetesError } from '../tools/kubernetes/errors.ts';
import { type Clock, REAL_CLOCK } from './status-pacer.ts';

/**
 * One watch on one collection the cluster's health is read from, kept open: it says when an
 * object changed in a way the health reads (`onChange`), and nothing else. It starts from the
 * collection's current resourceVersion (a list of at most one item), so it is not sent every
 * object first, and resumes from the last version it saw when a watch ends, as watches do (the
 * server's timeout, a proxy, an API server restart). A version the server no longer keeps (410
 * Expired) is listed again and counts as a change, since what happened meanwhile is unknown. A
 * watch that cannot be opened is tried again after 1 s, 2 s, 4 s… up to a minute, with a warning
 * each time; the once-a-minute read goes on meanwhile.
 */

/**
 * What a watch asks the server for: under the library's 30 s without data, so that on a quiet
 * cluster the server ends each watch (a real API server sends a bookmark first, with the version
 * to resume from) before the library gives up on it.
 */
const WATCH_SECONDS = 25;
const FIRST_RETRY_MS = 1_000;
const LAST_RETRY_MS = 60_000;
/**
 * A watch that ends sooner than this (or half the time it asked for) with nothing received
 * failed, whatever the server said: watching again at once would ask the server in a loop.
 */
const HEALTHY_MS = 5_000;

const Versioned = z.object({ metadata: z.object({ resourceVersion: z.string().min(1) }) });
const ErrorStatus = z.object({
  code: z.number().optional(),
  reason: z.string().optional(),
  message: z.string().optional(),
});
const ObjectKey = z.object({
  metadata: z.object({ namespace: z.string().optional(), name: z.string() }),
});

/** How one watch went: objects received, and why it ended when not simply over. */
type Round = { received: number; expired: boolean; error?: unknown };

export type Watching = { stop(): Promise<void> };

export type WatchOptions = {
  log: Logger;
  clock?: Clock;
  /** How long the server keeps each watch open; `WATCH_SECONDS` unless a test needs shorter. */
  watchSeconds?: number;
};

export function keepWatching(
  cluster: Cluster,
  source: StatusSource,
  onChange: () => void,
  options: WatchOptions,
): Watching {
  return new CollectionWatch(cluster, source, onChange, options);
}

class CollectionWatch implements Watching {
  readonly #cluster: Cluster;
  readonly #source: StatusSource;
  readonly #onChange: () => void;
  readonly #log: Logger;
  readonly #clock: Clock;
  readonly #watchSeconds: number;
  readonly #stopping = new AbortController();
  /** Each object's health facts as last seen, by namespace and name. */
  readonly #seen = new Map<string, string>();
  #version: string | undefined;
  readonly #running: Promise<void>;

  constructor(cluster: Cluster, source: StatusSource, onChange: () => void, options: WatchOptions) {
    this.#cluster = cluster;
    this.#source = source;
    this.#onChange = onChange;
    this.#log = options.log;
    this.#clock = options.clock ?? REAL_CLOCK;
    this.#watchSeconds = options.watchSeconds ?? WATCH_SECONDS;
    this.#running = this.#keep();
  }

  async stop(): Promise<void> {
    this.#stopping.abort();
    await this.#running;
  }

  /** Watches again and again until stopped, pausing longer after each failure in a row. */
  async #keep(): Promise<void> {
    let failures = 0;
    let expiredBefore = false;
    while (!this.#stopping.signal.aborted) {
      const started = this.#clock.now();
      const round = await this.#watchOnce().catch(
        (error: unknown): Round => ({ received: 0, expired: false, error }),
      );
      if (this.#stopping.signal.aborted) return;
      if (round.expired) {
        this.#version = undefined;
        this.#seen.clear();
      }
      // Once is what a watch resumed after a long while gets; twice in a row is a fault.
      const firstExpiry = round.expired && !expiredBefore;
      expiredBefore = round.expired;
      if (firstExpiry || this.#healthy(round, this.#clock.now() - started)) {
        failures = 0;
        continue;
      }
      failures++;
      const retryInMs = Math.min(FIRST_RETRY_MS * 2 ** (failures - 1), LAST_RETRY_MS);
      this.#log.warn(
        { collection: this.#source.name, reason: this.#failureOf(round.error), retryInMs },
        'cluster watch failed; trying again',
      );
      await pause(this.#clock, retryInMs, this.#stopping.signal);
    }
  }

  async #watchOnce(): Promise<Round> {
    const round: Round = { received: 0, expired: false };
    if (this.#version === undefined) {
      this.#version = await this.#currentVersion();
      // Whatever changed before this version is for a read to find.
      this.#onChange();
    }
    try {
      await this.#cluster.watch(
        this.#source.path,
        {
          resourceVersion: this.#version,
          allowWatchBookmarks: 'true',
          timeoutSeconds: String(this.#watchSeconds),
        },
        (type, object) => this.#handle(type, object, round),
        this.#stopping.signal,
      );
    } catch (error) {
      round.error = error;
      if (error instanceof ApiException && error.code === 410) round.expired = true;
    }
    return round;
  }

  #handle(type: string, object: unknown, round: Round): void {
    if (type === 'ERROR') {
      const status = ErrorStatus.safeParse(object);
      const said = status.success ? status.data : {};
      round.expired ||= said.code === 410;
      round.error = new Error(said.message ?? said.reason ?? 'the server sent an error');
      return;
    }
    round.received++;
    const versioned = Versioned.safeParse(object);
    if (versioned.success) this.#version = versioned.data.metadata.resourceVersion;
    if (type !== 'BOOKMARK' && this.#noteChange(type, object)) this.#onChange();
  }

  /** Whether the change alters what the health reads of the object; remembers it if so. */
  #noteChange(type: string, object: unknown): boolean {
    const key = ObjectKey.safeParse(object);
    if (!key.success) return false;
    const id = `${key.data.metadata.namespace ?? ''}/${key.data.metadata.name}`;
    if (type === 'DELETED') {
      this.#seen.delete(id);
      return true;
    }
    const facts = this.#source.facts(object);
    if (facts === undefined || this.#seen.get(id) === facts) return false;
    this.#seen.set(id, facts);
    return true;
  }

  /** The collection's current resourceVersion, from a list of at most one item. */
  async #currentVersion(): Promise<string> {
    const list = await this.#cluster
      .json('GET', this.#source.path, { query: { limit: '1' } })
      .catch((error: unknown) => {
        throw wrapKubernetesError(error, { verb: 'list', resource: this.#source.name });
      });
    return Versioned.parse(list).metadata.resourceVersion;
  }

  /** A watch that brought something, or stayed open a while and ended as watches end. */
  #healthy(round: Round, lastedMs: number): boolean {
    const awhile = Math.min(HEALTHY_MS, (this.#watchSeconds * 1_000) / 2);
    return round.received > 0 || (round.error === undefined && lastedMs >= awhile);
  }

  /** Why a watch failed, in the words the tools use (never headers), redacted. */
  #failureOf(error: unknown): string {
    if (error === undefined) return 'the server ended the watch at once';
    const worded = wrapKubernetesError(error, { verb: 'watch', resource: this.#source.name });
    return redactText(worded.message);
  }
}

function pause(clock: Clock, ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const cancel = clock.later(done, ms);
    signal.addEventListener('abort', done, { once: true });
    function done() {
      cancel();
      signal.removeEventListener('abort', done);
      resolve();
    }
  });
}
