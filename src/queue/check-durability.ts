import type { Redis } from 'ioredis';
import type { Logger } from '../observability/logger.ts';

/**
 * The server settings under which Redis keeps every job: nothing evicted when memory runs out,
 * and every write in the append-only file. BullMQ warns about eviction itself; this names what to
 * set, once per process.
 */
const PRODUCTION_SETTINGS = { 'maxmemory-policy': 'noeviction', appendonly: 'yes' } as const;

type Setting = keyof typeof PRODUCTION_SETTINGS;

/** The settings that differ from production's, with the value found, in a fixed order. */
export function riskySettings(found: Partial<Record<Setting, string>>): {
  setting: Setting;
  found: string | undefined;
  want: string;
}[] {
  return (Object.keys(PRODUCTION_SETTINGS) as Setting[])
    .filter((setting) => found[setting] !== PRODUCTION_SETTINGS[setting])
    .map((setting) => ({ setting, found: found[setting], want: PRODUCTION_SETTINGS[setting] }));
}

/**
 * Reads the settings once the connection is first ready and warns if jobs could be lost. A
 * server that refuses CONFIG (managed Redis often does) is noted at debug level only. Resolves
 * when checked; never rejects, so a caller need not wait.
 */
export function checkDurability(redis: Redis, log: Logger): Promise<void> {
  const check = async () => {
    const found: Partial<Record<Setting, string>> = {};
    for (const setting of Object.keys(PRODUCTION_SETTINGS) as Setting[]) {
      const reply = (await redis.config('GET', setting)) as string[];
      if (reply[1] !== undefined) found[setting] = reply[1];
    }
    const risky = riskySettings(found);
    if (risky.length === 0) return;
    log.warn(
      {
        found: Object.fromEntries(risky.map((r) => [r.setting, r.found ?? 'unknown'])),
        set: risky.map((r) => `${r.setting} ${r.want}`).join(', '),
      },
      'redis may lose jobs: set the settings named in "set" on the server',
    );
  };
  const run = () =>
    check().catch((error: unknown) =>
      log.debug(
        { err: { message: (error as Error).message } },
        'redis settings not checked (CONFIG GET refused)',
      ),
    );
  if (redis.status === 'ready') return run();
  return new Promise((resolve) => redis.once('ready', () => resolve(run())));
}
