import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { Redis } from 'ioredis';
import type { Logger } from '../observability/logger.ts';
import { throttledWarn } from '../observability/throttle.ts';
import { LuaScript } from './lua-script.ts';

/**
 * The reading side of an inbox: a Redis stream that a request handler appends to in one command
 * before it answers, leaving the work that can wait to the processes that read it here. Every
 * reader joins one consumer group, so each entry goes to one of them.
 *
 * Nothing is lost: an entry leaves the stream only once `handle` resolved for it, and one a
 * reader took and did not finish (it died, or Redis went away, or `handle` threw) stays pending.
 * A reader retries its own pending entries first; another claims those of a reader gone quiet for
 * `claimIdleMs`. `handle` must therefore be safe to run twice for one entry.
 */
const BATCH = 200;
const BLOCK_MS = 5_000;
/** How long an entry stays pending with its reader before another takes it. */
const CLAIM_IDLE_MS = 30_000;
const CLAIM_EVERY_MS = 10_000;
/** A consumer with nothing pending and idle this long is a reader that is gone: forgotten. */
const FORGET_IDLE_MS = 60 * 60_000;
const RETRY_MS = 1_000;
/**
 * An entry `handle` failed on this many times in a row is dropped, said as an error. `NotYet` and
 * Redis refusing writes for now (`REDIS_NOT_NOW`) do not count: the entry is not at fault.
 */
const MAX_ATTEMPTS = 10;

/**
 * Thrown by `handle` for an entry whose work cannot start yet and will be able to soon (another
 * holds it for a bounded time): left pending, and not counted as a failed attempt.
 */
export class NotYet extends Error {}

/**
 * Redis refusing the work's writes for now (full under `noeviction`, a replica, loading, a
 * failover under way): the entry is not at fault, and is not dropped for it. Reads and removals
 * go on meanwhile, so such a failure would otherwise count at each try.
 */
const REDIS_NOT_NOW =
  /^(OOM|READONLY|LOADING|MASTERDOWN|MISCONF|NOREPLICAS|BUSY|TRYAGAIN|CLUSTERDOWN)\b/;

/** Fields null: the entry was deleted from the stream while pending. */
type StreamEntry = [id: string, fields: string[] | null];

export type InboxReaderDeps = {
  key: string;
  group: string;
  /** A connection of the reader's own: its reads block. Closed when the reader stops. */
  reader: Redis;
  /** A connection that waits out outages: acknowledgements and claims. */
  redis: Redis;
  /**
   * The entry's work; resolves once it is done (or cannot ever be), throws to try it again. It
   * may resolve a key its work wrote: the entry is then removed only on a server that has that key,
   * checked in the same script, so a failover between the work and the removal (a primary that
   * answered the work and died before its replica had it) cannot lose the entry.
   */
  handle: (
    fields: Readonly<Record<string, string>>,
    entryId: string,
  ) => Promise<string | undefined>;
  /** Says what waits, in the warning when entries cannot be handled yet. */
  what: string;
  log: Logger;
  /** How long an entry stays pending with its reader before another takes it (`CLAIM_IDLE_MS`). */
  claimIdleMs?: number;
  /** How often a reader looks for such entries (`CLAIM_EVERY_MS`). */
  claimEveryMs?: number;
  /**
   * After a read that found fewer than a batch, how long to let more arrive before the next: each
   * read and removal is paid per batch, so a reader sharing its thread with request handlers (the
   * Slack inbox's, in the bot) spends less of it per entry. 0, the default: read again at once.
   */
  gatherMs?: number;
};

export type InboxReader = {
  /**
   * Stops reading, and waits up to `timeoutMs` for entries under way (with Redis gone that could
   * be for ever): what it leaves pending, another reader claims.
   */
  stop(timeoutMs?: number): Promise<void>;
};

export function readInbox(deps: InboxReaderDeps): InboxReader {
  const consumer = `${hostname()}-${process.pid}-${randomUUID().slice(0, 8)}`;
  const warn = throttledWarn(deps.log, `${deps.what} not handled yet; retrying`);
  const attempts = new Map<string, number>();
  let stopping = false;
  let wake: (() => void) | undefined;
  /** Waits `ms`, or until stopped. */
  const pause = (ms: number) =>
    new Promise<void>((resolve) => {
      wake = resolve;
      setTimeout(resolve, ms).unref();
    });
  // A read whose reply was lost with its connection left its entries pending, this consumer's,
  // and new reads do not return them: after a reconnection, its own pending entries are read.
  let reconnected = false;
  const onReady = () => {
    reconnected = true;
  };
  deps.reader.on('ready', onReady);

  const loop = async () => {
    // Own pending entries are read when due: at the start (none on a fresh consumer), after a
    // claim or a reconnection, and `RETRY_MS` after entries were left. New entries are read in
    // between, so an entry that cannot be handled holds up nothing but itself.
    let ownAt = 0;
    let nextClaim = 0;
    await ensureGroup(deps).catch(() => undefined);
    while (!stopping) {
      try {
        if (Date.now() >= nextClaim) {
          if ((await claimStale(deps, consumer)) > 0) ownAt = 0;
          nextClaim = Date.now() + (deps.claimEveryMs ?? CLAIM_EVERY_MS);
        }
        if (reconnected) {
          reconnected = false;
          ownAt = 0;
        }
        const own = Date.now() >= ownAt;
        const entries = await read(deps, consumer, own, Math.min(nextClaim, ownAt) - Date.now());
        if (own && entries.length === 0) ownAt = Number.POSITIVE_INFINITY;
        if (entries.length > 0) await handleAll(deps, entries, attempts);
        if (!own && entries.length < BATCH && (deps.gatherMs ?? 0) > 0)
          await pause(deps.gatherMs ?? 0);
      } catch (error) {
        if (stopping) break;
        ownAt = Date.now() + RETRY_MS;
        const message = (error as Error).message;
        // Redis lost the stream (restarted without its data): the next read recreates the group.
        if (message.includes('NOGROUP')) await ensureGroup(deps).catch(() => undefined);
        else warn({ err: { message } });
        // Entries left pending: the next reads take new ones, and these again when due.
        if (error instanceof EntriesLeft) continue;
        await pause(RETRY_MS);
      }
    }
  };
  const running = loop();
  return {
    async stop(timeoutMs = 5_000) {
      stopping = true;
      wake?.();
      deps.reader.off('ready', onReady);
      // Interrupts a blocked read. Entries under way finish on the other connection, unless Redis
      // is away: that could be for ever, so stop waits for them only while it is up, and at most
      // `timeoutMs`; what they leave pending, another reader claims.
      deps.reader.disconnect();
      await whileConnected(deps.redis, running, timeoutMs);
    },
  };
}

/** Waits for `running` while the connection is up, and at most `timeoutMs`. */
async function whileConnected(redis: Redis, running: Promise<void>, timeoutMs: number) {
  if (redis.status !== 'ready') return;
  let onClose: () => void = () => undefined;
  let timer: NodeJS.Timeout | undefined;
  const cut = new Promise<void>((resolve) => {
    onClose = resolve;
    redis.once('close', onClose);
    timer = setTimeout(resolve, timeoutMs);
  });
  try {
    await Promise.race([running, cut]);
  } finally {
    redis.off('close', onClose);
    clearTimeout(timer);
  }
}

/** Entries left pending: their work failed, or what it wrote is not where the inbox is. */
class EntriesLeft extends Error {}

async function ensureGroup(deps: InboxReaderDeps): Promise<void> {
  try {
    await deps.redis.xgroup('CREATE', deps.key, deps.group, '0', 'MKSTREAM');
  } catch (error) {
    if (!(error as Error).message.includes('BUSYGROUP')) throw error;
  }
}

/**
 * New entries (waiting for some up to `BLOCK_MS`, or until the next look for stale ones), or this
 * consumer's pending ones.
 */
async function read(deps: InboxReaderDeps, consumer: string, backlog: boolean, untilMs: number) {
  const args = ['GROUP', deps.group, consumer, 'COUNT', BATCH] as const;
  const block = Math.max(1, Math.min(BLOCK_MS, Math.ceil(untilMs)));
  const reply = backlog
    ? await deps.reader.xreadgroup(...args, 'STREAMS', deps.key, '0')
    : await deps.reader.xreadgroup(...args, 'BLOCK', block, 'STREAMS', deps.key, '>');
  const streams = (reply ?? []) as [string, StreamEntry[]][];
  return streams.flatMap(([, entries]) => entries);
}

/**
 * Every entry handled at once, then those done acknowledged and deleted together. Throws when
 * one is left: it stays pending for the next try, unless it has failed `MAX_ATTEMPTS` times.
 * An entry deleted from the stream while pending (no fields) has nothing to do.
 */
async function handleAll(
  deps: InboxReaderDeps,
  entries: StreamEntry[],
  attempts: Map<string, number>,
): Promise<void> {
  const outcomes = await Promise.allSettled(
    entries.map(([id, fields]) =>
      fields === null ? Promise.resolve(undefined) : deps.handle(fieldsOf(fields), id),
    ),
  );
  // Pairs of the entry's id and the key that must exist for it to go ('' for none).
  const done: string[] = [];
  let failure: Error | undefined;
  for (const [i, [id]] of entries.entries()) {
    const outcome = outcomes[i];
    if (outcome?.status === 'fulfilled') {
      done.push(id, outcome.value ?? '');
      attempts.delete(id);
      continue;
    }
    const error = outcome?.reason as Error;
    if (error instanceof NotYet || REDIS_NOT_NOW.test(String(error?.message))) {
      failure ??= error;
      continue;
    }
    const tries = (attempts.get(id) ?? 0) + 1;
    // Entries another reader took over never come back here: the count is a hint, kept small.
    if (attempts.size > 10_000) attempts.clear();
    if (tries < MAX_ATTEMPTS) {
      attempts.set(id, tries);
      failure ??= error;
      continue;
    }
    deps.log.error({ entry: id, err: { message: error.message } }, `${deps.what} dropped`);
    attempts.delete(id);
    done.push(id, '');
  }
  const kept =
    done.length === 0
      ? []
      : ((await REMOVE.run(deps.redis, deps.key, deps.group, ...done)) as string[]);
  if (failure !== undefined) throw new EntriesLeft(failure.message);
  if (kept.length > 0)
    throw new EntriesLeft(`${kept.length} whose work is not on this server (a failover?)`);
}

/**
 * KEYS: the stream. ARGV: the group, then pairs of an entry's id and the key its work wrote ('' for
 * none). Acknowledges and deletes each entry whose key is here; returns the ids kept.
 */
const REMOVE = new LuaScript(
  `
local kept = {}
for i = 2, #ARGV, 2 do
  local id, witness = ARGV[i], ARGV[i + 1]
  if witness == '' or redis.call('exists', witness) == 1 then
    redis.call('xack', KEYS[1], ARGV[1], id)
    redis.call('xdel', KEYS[1], id)
  else
    kept[#kept + 1] = id
  end
end
return kept
`,
  1,
);

/** Redis's flat `name, value, name, value…` replies (an entry's fields, XINFO's) as a record. */
function fieldsOf<T>(flat: readonly T[]): Record<string, T> {
  const out: Record<string, T> = Object.create(null);
  for (let i = 0; i + 1 < flat.length; i += 2) out[String(flat[i])] = flat[i + 1] as T;
  return out;
}

/**
 * Entries another reader took and has not finished for the claim idle time become this one's
 * (its next read of its own pending entries takes them), and consumers long gone are forgotten.
 */
async function claimStale(deps: InboxReaderDeps, consumer: string): Promise<number> {
  let cursor = '0-0';
  let claimed = 0;
  do {
    const reply = (await deps.redis.xautoclaim(
      deps.key,
      deps.group,
      consumer,
      deps.claimIdleMs ?? CLAIM_IDLE_MS,
      cursor,
      'COUNT',
      BATCH,
      'JUSTID',
    )) as [string, string[]];
    cursor = reply[0];
    claimed += reply[1].length;
  } while (cursor !== '0-0');
  if (claimed > 0) deps.log.warn({ claimed }, `took over ${deps.what} a reader left unfinished`);
  const consumers = (await deps.redis.xinfo('CONSUMERS', deps.key, deps.group)) as unknown[][];
  for (const info of consumers) {
    const about = fieldsOf(info);
    const gone = Number(about.pending) === 0 && Number(about.idle) > FORGET_IDLE_MS;
    if (about.name !== consumer && gone)
      await deps.redis.xgroup('DELCONSUMER', deps.key, deps.group, String(about.name));
  }
  return claimed;
}
