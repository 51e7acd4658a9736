import type { Redis } from 'ioredis';
import { z } from 'zod';
import {
  AUDIT_STREAM_LENGTH,
  type AuditEntry,
  auditLine,
  auditStreamKey,
} from '../audit/audit-log.ts';

/**
 * The suspend switch: one key in Redis that stops every write to every cluster at once.
 * While it is on, approvals are refused with its reason and the actions worker holds queued
 * actions (approved or auto-approved) until it is off; reads and answers go on. Turning it on or
 * off and its audit entry are one Redis script, so the trail always says who did it and why.
 */
export const Suspension = z.object({
  since: z.iso.datetime(),
  /** Who turned it on: `cli:alice`, `web:bob`. */
  by: z.string().min(1).max(200),
  reason: z.string().max(500),
});
export type Suspension = z.infer<typeof Suspension>;

/** KEYS: switch, audit stream. ARGV: suspension JSON, audit entry JSON, stream length. */
const SUSPEND = `
local current = redis.call('get', KEYS[1])
if current then return current end
redis.call('set', KEYS[1], ARGV[1])
redis.call('xadd', KEYS[2], 'MAXLEN', '~', ARGV[3], '*', 'entry', ARGV[2])
return false
`;

/** KEYS: switch, audit stream. ARGV: audit entry JSON (its outcome filled in here), length. */
const RESUME = `
local current = redis.call('get', KEYS[1])
if not current then return false end
redis.call('del', KEYS[1])
redis.call('xadd', KEYS[2], 'MAXLEN', '~', ARGV[2], '*', 'entry', ARGV[1])
return current
`;

export class SuspendSwitch {
  readonly #redis: Redis;
  readonly #key: string;
  readonly #audit: string;

  constructor(redis: Redis, prefix: string) {
    this.#redis = redis;
    this.#key = `${prefix}:suspended`;
    this.#audit = auditStreamKey(prefix);
  }

  /** The suspension in force, or undefined when writes may go on. */
  async state(): Promise<Suspension | undefined> {
    const text = await this.#redis.get(this.#key);
    if (text === null) return undefined;
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      value = undefined;
    }
    const parsed = Suspension.safeParse(value);
    // A value nobody can read still means suspended: a write is never let through by doubt.
    return parsed.success
      ? parsed.data
      : { since: new Date(0).toISOString(), by: 'unknown', reason: 'unreadable suspend state' };
  }

  /** Turns writes off; a suspension already in force stays as it was (its reason and author). */
  async suspend(
    by: string,
    reason: string,
    now = new Date(),
  ): Promise<{ changed: boolean; suspension: Suspension }> {
    const suspension = Suspension.parse({ since: now.toISOString(), by, reason });
    const entry: AuditEntry = {
      at: suspension.since,
      event: 'suspended',
      agent: 'suspend-switch',
      action: { type: 'suspend', summary: 'Suspend every write' },
      outcome: reason === '' ? 'no reason given' : reason,
      person: by,
    };
    const found = await this.#redis.eval(
      SUSPEND,
      2,
      this.#key,
      this.#audit,
      JSON.stringify(suspension),
      auditLine(entry),
      String(AUDIT_STREAM_LENGTH),
    );
    if (typeof found !== 'string') return { changed: true, suspension };
    return { changed: false, suspension: (await this.state()) ?? suspension };
  }

  /** Turns writes back on; says which suspension it ended, if one was in force. */
  async resume(
    by: string,
    now = new Date(),
  ): Promise<{ changed: boolean; ended: Suspension | undefined }> {
    const before = await this.state();
    if (before === undefined) return { changed: false, ended: undefined };
    const entry: AuditEntry = {
      at: now.toISOString(),
      event: 'resumed',
      agent: 'suspend-switch',
      action: { type: 'resume', summary: 'Resume writes' },
      outcome: `ended the suspension ${suspendedLine(before).replace(/^Writes suspended /, '')}`,
      person: by,
    };
    const ended = await this.#redis.eval(
      RESUME,
      2,
      this.#key,
      this.#audit,
      auditLine(entry),
      String(AUDIT_STREAM_LENGTH),
    );
    return typeof ended === 'string'
      ? { changed: true, ended: before }
      : { changed: false, ended: undefined };
  }
}

/** `Writes suspended since 2026-12-06 19:30 UTC by cli:alice: maintenance window`. */
export function suspendedLine(s: Suspension): string {
  const since = `${s.since.replace('T', ' ').slice(0, 16)} UTC`;
  return `Writes suspended since ${since} by ${s.by}${s.reason === '' ? '' : `: ${s.reason}`}`;
}
