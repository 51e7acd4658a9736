import type { Redis } from 'ioredis';
import { z } from 'zod';

/**
 * The audit trail: every proposal and decision, every action run, and every suspend and resume,
 * in a Redis stream that the dashboard's History reads. Each entry is added by the same Redis
 * script as the state change it records, so one never exists without the other; the daily JSONL
 * files (the record that outlives Redis) are written from the stream by `AuditFiles`.
 */
export const AuditEntry = z.object({
  at: z.iso.datetime(),
  /** What happened to a proposal, or to the suspend switch. */
  event: z.enum([
    'proposed',
    'approved',
    'rejected',
    'expired',
    'executed',
    'failed',
    'superseded',
    'suspended',
    'resumed',
  ]),
  /** Absent for the suspend switch, which is about every proposal at once. */
  proposal: z.string().optional(),
  agent: z.string(),
  action: z.object({ type: z.string(), summary: z.string() }),
  /** The target and the change as approved (no Secret or env values: the change never holds them). */
  inputs: z
    .object({
      cluster: z.string(),
      namespace: z.string().optional(),
      kind: z.string(),
      name: z.string(),
    })
    .optional(),
  resourceVersionBefore: z.string().optional(),
  resourceVersionAfter: z.string().optional(),
  /** The Kubernetes user a write impersonated (the cluster's `writeAs`), when it did. */
  writtenAs: z.string().optional(),
  outcome: z.string(),
  approval: z.enum(['auto', 'user-confirmed']).optional(),
  approver: z.string().optional(),
  /** Who flipped the suspend switch (`cli:alice`, `web:bob`). */
  person: z.string().optional(),
  platform: z.string().optional(),
  channel: z.string().optional(),
  run: z.string().optional(),
});
export type AuditEntry = z.infer<typeof AuditEntry>;

/** About a year of a busy team's decisions; the files keep everything. */
export const AUDIT_STREAM_LENGTH = 100_000;

export function auditStreamKey(prefix: string): string {
  return `${prefix}:audit`;
}

/** An entry as the scripts that change state add it to the stream: checked, then JSON. */
export function auditLine(entry: AuditEntry): string {
  return JSON.stringify(AuditEntry.parse(entry));
}

/** Reads the audit stream. Entries are added only by the scripts that change state. */
export class AuditLog {
  readonly #redis: Redis;
  readonly #key: string;

  constructor(redis: Redis, prefix: string) {
    this.#redis = redis;
    this.#key = auditStreamKey(prefix);
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
