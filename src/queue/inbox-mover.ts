import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Logger } from '../observability/logger.ts';
import { throttledWarn } from '../observability/throttle.ts';
import { addOnce } from './add-once.ts';
import { ID_FIELD, JOB_FIELD } from './alert-inbox.ts';
import type { RunJob } from './jobs.ts';

/**
 * A worker's side of the alert inbox: takes the notifications the webhook appended, adds each to
 * the runs queue once under its id, then removes it from the inbox. Every worker runs one; they
 * share the stream as one consumer group, so each entry goes to one of them.
 *
 * Nothing is lost between the two: an entry leaves the inbox only after its job was added, and an
 * entry a worker took and did not finish (it died, or Redis went away) stays pending. The worker
 * retries its own pending entries first; another worker claims those of a worker gone quiet for
 * `CLAIM_IDLE_MS`. Adding twice is harmless: the job id is the notification's, so a second add
 * finds the job there.
 */
const GROUP = 'movers';
const BATCH = 200;
const BLOCK_MS = 5_000;
/** How long an entry stays pending with its worker before another takes it. */
const CLAIM_IDLE_MS = 60_000;
const CLAIM_EVERY_MS = 15_000;
/** A consumer with nothing pending and idle this long is a worker that is gone: forgotten. */
const FORGET_IDLE_MS = 60 * 60_000;
const RETRY_MS = 1_000;

type StreamEntry = [id: string, fields: string[]];

export type InboxMoverDeps = {
  key: string;
  /** A connection of the mover's own: its reads block. Closed when the mover stops. */
  reader: Redis;
  /** The worker's connection (waits out outages): adds, acknowledgements, claims. */
  redis: Redis;
  runs: Queue<RunJob>;
  log: Logger;
  /** How long an entry stays pending with its worker before another takes it (`CLAIM_IDLE_MS`). */
  claimIdleMs?: number;
  /** How often a worker looks for such entries (`CLAIM_EVERY_MS`). */
  claimEveryMs?: number;
};

export type InboxMover = {
  /**
   * Stops reading, and waits up to `timeoutMs` for a move under way (with Redis gone it could wait
   * for ever): what it leaves pending, another worker claims.
   */
  stop(timeoutMs?: number): Promise<void>;
};

export function startInboxMover(deps: InboxMoverDeps): InboxMover {
  const consumer = `${hostname()}-${process.pid}-${randomUUID().slice(0, 8)}`;
  const log = deps.log.child({ component: 'alert-inbox' });
  const warn = throttledWarn(log, 'alert notifications not moved to the runs queue yet; retrying');
  let stopping = false;
  let wake: (() => void) | undefined;

  const loop = async () => {
    // Own pending entries first: none on a fresh consumer, those left by a failed move after.
    let backlog = true;
    let nextClaim = 0;
    await ensureGroup(deps).catch(() => undefined);
    while (!stopping) {
      try {
        if (Date.now() >= nextClaim) {
          if ((await claimStale(deps, consumer, log)) > 0) backlog = true;
          nextClaim = Date.now() + (deps.claimEveryMs ?? CLAIM_EVERY_MS);
        }
        const entries = await read(deps, consumer, backlog, nextClaim - Date.now());
        if (backlog && entries.length === 0) backlog = false;
        if (entries.length > 0) await move(deps, entries, log);
      } catch (error) {
        if (stopping) break;
        backlog = true;
        const message = (error as Error).message;
        // Redis lost the stream (restarted without its data): the next read recreates the group.
        if (message.includes('NOGROUP')) await ensureGroup(deps).catch(() => undefined);
        else warn({ err: { message } });
        await new Promise<void>((resolve) => {
          wake = resolve;
          setTimeout(resolve, RETRY_MS).unref();
        });
      }
    }
  };
  const running = loop();
  return {
    async stop(timeoutMs = 5_000) {
      stopping = true;
      wake?.();
      // Interrupts a blocked read; a move under way finishes on the other connection.
      deps.reader.disconnect();
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        running,
        new Promise<void>((resolve) => {
          timer = setTimeout(resolve, timeoutMs);
        }),
      ]);
      clearTimeout(timer);
    },
  };
}

async function ensureGroup(deps: InboxMoverDeps): Promise<void> {
  try {
    await deps.redis.xgroup('CREATE', deps.key, GROUP, '0', 'MKSTREAM');
  } catch (error) {
    if (!(error as Error).message.includes('BUSYGROUP')) throw error;
  }
}

/**
 * New entries (waiting for some up to `BLOCK_MS`, or until the next look for stale ones), or this
 * consumer's pending ones.
 */
async function read(
  deps: InboxMoverDeps,
  consumer: string,
  backlog: boolean,
  untilClaimMs: number,
) {
  const args = ['GROUP', GROUP, consumer, 'COUNT', BATCH] as const;
  const block = Math.max(1, Math.min(BLOCK_MS, Math.ceil(untilClaimMs)));
  const reply = backlog
    ? await deps.reader.xreadgroup(...args, 'STREAMS', deps.key, '0')
    : await deps.reader.xreadgroup(...args, 'BLOCK', block, 'STREAMS', deps.key, '>');
  const streams = (reply ?? []) as [string, StreamEntry[]][];
  return streams.flatMap(([, entries]) => entries);
}

/**
 * Each entry's job added once, then the entries done acknowledged and deleted together. Throws
 * when an add failed: that entry stays pending for the next try.
 */
async function move(deps: InboxMoverDeps, entries: StreamEntry[], log: Logger): Promise<void> {
  const outcomes = await Promise.allSettled(entries.map((entry) => addEntry(deps, entry, log)));
  const done = entries.filter((_, i) => outcomes[i]?.status === 'fulfilled').map(([id]) => id);
  if (done.length > 0) {
    await deps.redis
      .multi()
      .xack(deps.key, GROUP, ...done)
      .xdel(deps.key, ...done)
      .exec();
  }
  const failed = outcomes.find((o): o is PromiseRejectedResult => o.status === 'rejected');
  if (failed !== undefined) {
    const left = entries.length - done.length;
    throw new Error(`${left} not queued yet: ${(failed.reason as Error).message}`);
  }
}

async function addEntry(deps: InboxMoverDeps, [id, fields]: StreamEntry, log: Logger) {
  const jobId = field(fields, ID_FIELD);
  const job = parseJob(field(fields, JOB_FIELD));
  if (jobId === undefined || job === undefined) {
    // Not written by the webhook: nothing can make it a job, and keeping it would block nothing
    // but would be retried for ever. Said once, and removed.
    log.error({ entry: id }, 'alert inbox entry is not a notification; dropped');
    return;
  }
  const outcome = await addOnce(deps.runs, deps.redis, jobId, () =>
    deps.runs.add('alert', job, { jobId }),
  );
  if (outcome === 'retried') log.warn({ jobId }, 'alert had failed before; running it again');
}

function field(fields: string[], name: string): string | undefined {
  for (let i = 0; i + 1 < fields.length; i += 2) if (fields[i] === name) return fields[i + 1];
  return undefined;
}

function parseJob(text: string | undefined): (RunJob & { kind: 'alert' }) | undefined {
  if (text === undefined) return undefined;
  try {
    const job = JSON.parse(text) as { kind?: unknown };
    return job !== null && typeof job === 'object' && job.kind === 'alert'
      ? (job as RunJob & { kind: 'alert' })
      : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Entries another worker took and has not finished for the claim idle time become this one's (its
 * next read of its own pending entries moves them), and consumers long gone are forgotten.
 */
async function claimStale(deps: InboxMoverDeps, consumer: string, log: Logger): Promise<number> {
  let cursor = '0-0';
  let claimed = 0;
  do {
    const reply = (await deps.redis.xautoclaim(
      deps.key,
      GROUP,
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
  if (claimed > 0) log.warn({ claimed }, 'took over alert notifications a worker left unfinished');
  const consumers = (await deps.redis.xinfo('CONSUMERS', deps.key, GROUP)) as unknown[][];
  for (const info of consumers) {
    const about = Object.fromEntries(pairs(info));
    if (
      about.name !== consumer &&
      Number(about.pending) === 0 &&
      Number(about.idle) > FORGET_IDLE_MS
    )
      await deps.redis.xgroup('DELCONSUMER', deps.key, GROUP, String(about.name));
  }
  return claimed;
}

function pairs(flat: unknown[]): [string, unknown][] {
  const out: [string, unknown][] = [];
  for (let i = 0; i + 1 < flat.length; i += 2) out.push([String(flat[i]), flat[i + 1]]);
  return out;
}
