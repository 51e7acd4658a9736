import { appendFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Redis } from 'ioredis';
import { z } from 'zod';

/**
 * The audit trail: every action run, proposal and decision, in a Redis stream (which the
 * dashboard's History reads) and in one JSONL file per day (which outlives Redis and is easy to
 * ship elsewhere). An entry is written to both; the file is the record of last resort.
 */
export const AuditEntry = z.object({
  at: z.iso.datetime(),
  /** What happened: proposed, approved, rejected, expired, executed, failed, superseded. */
  event: z.enum([
    'proposed',
    'approved',
    'rejected',
    'expired',
    'executed',
    'failed',
    'superseded',
  ]),
  proposal: z.string(),
  agent: z.string(),
  action: z.object({ type: z.string(), summary: z.string() }),
  /** The target and the change as approved (no Secret or env values: the change never holds them). */
  inputs: z.object({
    cluster: z.string(),
    namespace: z.string().optional(),
    kind: z.string(),
    name: z.string(),
  }),
  resourceVersionBefore: z.string().optional(),
  resourceVersionAfter: z.string().optional(),
  outcome: z.string(),
  approval: z.enum(['auto', 'user-confirmed']).optional(),
  approver: z.string().optional(),
  platform: z.string().optional(),
  channel: z.string().optional(),
  run: z.string(),
});
export type AuditEntry = z.infer<typeof AuditEntry>;

const STREAM_LENGTH = 100_000;

export class AuditLog {
  readonly #redis: Redis;
  readonly #key: string;
  readonly #dir: string;

  constructor(redis: Redis, prefix: string, dir: string) {
    this.#redis = redis;
    this.#key = `${prefix}:audit`;
    this.#dir = dir;
  }

  async append(entry: AuditEntry): Promise<void> {
    const line = JSON.stringify(AuditEntry.parse(entry));
    await mkdir(this.#dir, { recursive: true });
    await appendFile(join(this.#dir, `audit-${entry.at.slice(0, 10)}.jsonl`), `${line}\n`, {
      mode: 0o640,
    });
    await this.#redis.xadd(this.#key, 'MAXLEN', '~', String(STREAM_LENGTH), '*', 'entry', line);
  }

  /** The newest entries first. */
  async latest(count: number): Promise<AuditEntry[]> {
    const rows = await this.#redis.xrevrange(this.#key, '+', '-', 'COUNT', count);
    return rows.flatMap(([, fields]) => {
      const parsed = AuditEntry.safeParse(JSON.parse(fields[1] ?? 'null'));
      return parsed.success ? [parsed.data] : [];
    });
  }
}
