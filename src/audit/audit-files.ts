import { appendFile, mkdir, open, readdir, truncate } from 'node:fs/promises';
import { join } from 'node:path';
import type { Redis } from 'ioredis';
import type { Logger } from '../observability/logger.ts';
import { Lease } from '../queue/lease.ts';
import { auditStreamKey } from './audit-log.ts';

/**
 * The daily JSONL files of the audit trail, written from the audit stream. The state changes add
 * their entries to the stream atomically; this copies them, in stream order, to one file per day
 * (the day of the stream id, so files follow the stream). Each line carries its stream `id`, and
 * where to go on from is read from the last line written: a process that died between the stream
 * and the file catches up when it comes back, and nothing is written twice. Of several workers,
 * one at a time copies (a lease in Redis), so files on a shared volume get each line once.
 */
const FILE = /^audit-(\d{4}-\d{2}-\d{2})\.jsonl$/;
const BATCH = 500;
const TAIL_BYTES = 64 * 1024;
const STOP_WAIT_MS = 2_000;
const LEASE_MS = 15_000;

export class AuditFiles {
  readonly #redis: Redis;
  readonly #key: string;
  readonly #dir: string;
  readonly #log: Logger;
  readonly #lease: Lease;
  /** The last stream id in the files; read from them on first use. */
  #last: string | undefined;

  constructor(redis: Redis, prefix: string, dir: string, log: Logger) {
    this.#redis = redis;
    this.#key = auditStreamKey(prefix);
    this.#lease = new Lease(redis, `${this.#key}:files-lease`, LEASE_MS);
    this.#dir = dir;
    this.#log = log;
  }

  /** Catches up if this process holds the lease (taking it when free); false when another does. */
  async catchUpAsHolder(): Promise<boolean> {
    if (!(await this.#lease.hold())) {
      // Another process writes meanwhile: where to go on from is read from the files again.
      this.#last = undefined;
      return false;
    }
    await this.catchUp();
    return true;
  }

  /** Appends every stream entry the files do not have yet; returns how many. */
  async catchUp(): Promise<number> {
    let last = this.#last ?? (await this.#lastWritten());
    let written = 0;
    while (true) {
      const rows = await this.#redis.xrange(this.#key, `(${last}`, '+', 'COUNT', BATCH);
      if (rows.length === 0) break;
      const byDay = new Map<string, string[]>();
      for (const [id, fields] of rows) {
        const line = fileLineOf(id, fields);
        const day = new Date(Number(id.split('-')[0])).toISOString().slice(0, 10);
        byDay.set(day, [...(byDay.get(day) ?? []), line]);
      }
      await mkdir(this.#dir, { recursive: true });
      for (const [day, lines] of byDay)
        await appendFile(join(this.#dir, `audit-${day}.jsonl`), `${lines.join('\n')}\n`, {
          mode: 0o640,
        });
      last = rows[rows.length - 1]?.[0] ?? last;
      this.#last = last;
      written += rows.length;
    }
    this.#last = last;
    return written;
  }

  /** Catches up every `intervalMs` until stopped; a failed round is tried again next time. */
  start(intervalMs = 1_000): { stop(): Promise<void> } {
    let stopped = false;
    let round: Promise<unknown> = Promise.resolve();
    const tick = () => {
      round = this.catchUpAsHolder()
        .catch((error: unknown) => {
          // Start again from the files: a partly written batch must not be written twice.
          this.#last = undefined;
          this.#log.warn({ err: error }, 'audit files not written; trying again');
        })
        .finally(() => {
          if (stopped) return;
          timer = setTimeout(tick, intervalMs);
          timer.unref();
        });
    };
    let timer = setTimeout(tick, 0);
    timer.unref();
    return {
      stop: async () => {
        stopped = true;
        clearTimeout(timer);
        // What was added up to now still reaches the files, unless Redis is gone: then the next
        // start catches up.
        const last = round
          .then(() => this.catchUpAsHolder())
          .then(() => this.#lease.release())
          .catch((error: unknown) =>
            this.#log.warn({ err: error }, 'audit files not written before stopping'),
          );
        let bound: NodeJS.Timeout | undefined;
        await Promise.race([
          last,
          new Promise((resolve) => {
            bound = setTimeout(resolve, STOP_WAIT_MS);
          }),
        ]);
        clearTimeout(bound);
      },
    };
  }

  /** The stream id of the newest line in the files; `0` when there are none. */
  async #lastWritten(): Promise<string> {
    const names = (await readdir(this.#dir).catch(() => [] as string[]))
      .filter((n) => FILE.test(n))
      .sort();
    for (const name of names.reverse()) {
      const line = await lastLine(join(this.#dir, name));
      if (line === undefined) continue;
      const parsed = JSON.parse(line) as { id?: unknown; at?: unknown };
      if (typeof parsed.id === 'string' && /^\d+-\d+$/.test(parsed.id)) return parsed.id;
      // A line from before lines carried their id: go on from the entries after its time.
      if (typeof parsed.at === 'string') return `${Date.parse(parsed.at)}-18446744073709551615`;
    }
    return '0';
  }
}

/** A stream entry as a file line: its stream id, then the entry's fields. */
export function fileLineOf(id: string, fields: string[]): string {
  const index = fields.indexOf('entry');
  const entry = index >= 0 ? (fields[index + 1] ?? '{}') : '{}';
  return JSON.stringify({ id, ...(JSON.parse(entry) as object) });
}

/**
 * The last complete line of a file. A line cut short (the process died writing it) is removed:
 * its entry is still in the stream and is written again whole.
 */
async function lastLine(path: string): Promise<string | undefined> {
  const file = await open(path, 'r');
  let tail: Buffer;
  let start: number;
  try {
    const { size } = await file.stat();
    start = Math.max(0, size - TAIL_BYTES);
    tail = Buffer.alloc(size - start);
    await file.read(tail, 0, tail.length, start);
  } finally {
    await file.close();
  }
  const end = tail.lastIndexOf(0x0a);
  if (end < tail.length - 1) await truncate(path, start + end + 1);
  const lines = tail
    .subarray(0, end + 1)
    .toString('utf8')
    .split('\n')
    .filter(Boolean);
  return lines[lines.length - 1];
}
