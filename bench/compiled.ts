import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { ROOT } from './support.ts';

/**
 * Production runs the compiled build (`npm run build`, dist/main/entry.js), so the ingest benches
 * measure that: the entry as it is if dist/ is newer than every source file, built first if not.
 * Returns the entry's path, relative to the repository.
 */
export function compiledEntry(): string {
  const entry = 'dist/main/entry.js';
  if (modifiedAt(join(ROOT, entry)) > newestUnder(join(ROOT, 'src'))) return entry;
  console.log('building dist/ (npm run build) for the compiled entry…');
  execFileSync('npm', ['run', 'build'], { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] });
  return entry;
}

function modifiedAt(path: string): number {
  try {
    return statSync(path).mtimeMs;
  } catch {
    return 0;
  }
}

function newestUnder(folder: string): number {
  let newest = 0;
  for (const entry of readdirSync(folder, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) newest = Math.max(newest, modifiedAt(join(entry.parentPath, entry.name)));
  }
  return newest;
}

/** Redis's own count of the commands it ran, by name (INFO commandstats), scripts' calls included. */
export async function commandCounts(url: string): Promise<Map<string, number>> {
  const redis = new Redis(url, { lazyConnect: true });
  try {
    await redis.connect();
    const text = await redis.info('commandstats');
    const counts = new Map<string, number>();
    for (const match of text.matchAll(/^cmdstat_([^:]+):calls=(\d+)/gm))
      counts.set(match[1] ?? '', Number(match[2]));
    return counts;
  } finally {
    redis.disconnect();
  }
}

/**
 * Commands per request between two readings: those a client sent (EVALSHA, EVAL, WAIT…) apart
 * from those scripts ran inside Redis (which count under their own names too), so the first is
 * the round trips a request costs. INFO's own calls and the connections' start are left out.
 */
export function perRequest(
  before: Map<string, number>,
  after: Map<string, number>,
  requests: number,
): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [name, calls] of after) {
    const delta = calls - (before.get(name) ?? 0);
    const each = Math.round((delta / Math.max(1, requests)) * 100) / 100;
    // INFO's own calls, and the few commands of the bot's background work, are not the requests'.
    if (each >= 0.05 && name !== 'info') out[name] = each;
  }
  return out;
}

/**
 * CPU time a process has used (user and system), in ms, from /proc. On a shared machine the CPU
 * a request costs is steadier than its latency, which the other processes' load moves.
 */
export function cpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name, which is in parentheses and may hold spaces.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]);
  return (ticks * 1000) / CLOCK_TICKS_PER_SECOND;
}

/** Linux's USER_HZ, which /proc counts in, is 100 on every architecture Node runs on. */
const CLOCK_TICKS_PER_SECOND = 100;
