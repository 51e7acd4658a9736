import type { Writable } from 'node:stream';
import { fileLineOf } from '../audit/audit-files.ts';
import { auditStreamKey } from '../audit/audit-log.ts';
import { parseFlags, UsageError } from './args.ts';
import { withCliRedis } from './cli-redis.ts';

export const AUDIT_USAGE = `Usage: coxswain audit export [--since YYYY-MM-DD] [--until YYYY-MM-DD]

Prints the audit trail (every proposal, decision, executed action, suspend and resume) from the
Redis of REDIS_URL or REDIS_SENTINELS (and REDIS_PREFIX) as JSON lines, oldest first: the same
lines as the daily audit files. --since and --until are UTC days, both included.
`;

const BATCH = 500;
const DAY_MS = 86_400_000;

export async function audit(
  args: readonly string[],
  out: Writable = process.stdout,
): Promise<void> {
  if (args[0] !== 'export') throw new UsageError('coxswain audit: the subcommand is export');
  const { values } = parseFlags('audit export', args.slice(1), {
    since: { type: 'string' },
    until: { type: 'string' },
  });
  const from = values.since === undefined ? '-' : `${dayStart(values.since, 'since')}-0`;
  const to =
    values.until === undefined
      ? '+'
      : `${dayStart(values.until, 'until') + DAY_MS - 1}-${2n ** 64n - 1n}`;
  await withCliRedis('cannot reach Redis (REDIS_URL or REDIS_SENTINELS)', async (redis, prefix) => {
    const key = auditStreamKey(prefix);
    let start = from;
    while (true) {
      const rows = await redis.xrange(key, start, to, 'COUNT', BATCH);
      if (rows.length === 0) break;
      await write(out, `${rows.map(([id, fields]) => fileLineOf(id, fields)).join('\n')}\n`);
      start = `(${rows[rows.length - 1]?.[0]}`;
    }
  });
}

/** Midnight UTC of a YYYY-MM-DD day, in milliseconds. */
function dayStart(day: string, flag: string): number {
  const at = /^\d{4}-\d{2}-\d{2}$/.test(day) ? Date.parse(`${day}T00:00:00Z`) : Number.NaN;
  if (Number.isNaN(at) || new Date(at).toISOString().slice(0, 10) !== day)
    throw new UsageError(`coxswain audit export: --${flag} must be a day such as 2026-12-01`);
  return at;
}

/** Writes, waiting while the reader (a pipe, a file) catches up. */
function write(out: Writable, text: string): Promise<void> {
  return new Promise((resolve, reject) => {
    out.write(text, (error) => (error ? reject(error) : resolve()));
  });
}
