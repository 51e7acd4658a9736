import { userInfo } from 'node:os';
import { loadConfig, readEnv } from '../config/index.ts';
import { CoxswainError } from '../errors.ts';
import { createLogger } from '../observability/logger.ts';
import { SuspendSwitch, suspendedLine } from '../policy/suspend.ts';
import { closeRedis, createRedis, waitForReady } from '../queue/connection.ts';
import { parseFlags, UsageError } from './args.ts';

export const SUSPEND_USAGE = `Usage: coxswain suspend [--reason TEXT]
       coxswain resume

suspend  stops every write to every cluster at once: approvals are refused with the reason and
         queued actions wait; questions, status and diagnoses go on
resume   lets writes go on; actions that waited run

Both talk to the Redis of REDIS_URL or REDIS_SENTINELS (and REDIS_PREFIX), and are recorded in
the audit trail as cli:<your user name>.
`;

const REDIS_WAIT_MS = 5_000;

export async function suspend(args: readonly string[]): Promise<void> {
  const { values } = parseFlags('suspend', args, { reason: { type: 'string' } });
  const reason = (values.reason ?? '').trim();
  if (reason.length > 500)
    throw new UsageError('coxswain suspend: the reason is at most 500 characters');
  await withSwitch(async (sw, by) => {
    const { changed, suspension } = await sw.suspend(by, reason);
    process.stdout.write(
      changed ? `${suspendedLine(suspension)}\n` : `Already: ${suspendedLine(suspension)}\n`,
    );
  });
}

export async function resume(args: readonly string[]): Promise<void> {
  parseFlags('resume', args, {});
  await withSwitch(async (sw, by) => {
    const { changed, ended } = await sw.resume(by);
    process.stdout.write(
      changed && ended !== undefined
        ? `Writes resumed (${suspendedLine(ended).replace(/^Writes suspended /, 'they were suspended ')}).\n`
        : 'Writes were not suspended.\n',
    );
  });
}

async function withSwitch(run: (sw: SuspendSwitch, by: string) => Promise<void>): Promise<void> {
  const config = loadConfig(readEnv());
  const redis = createRedis(config.redis, 'producer', createLogger('silent'));
  try {
    if (!(await waitForReady(redis, REDIS_WAIT_MS)))
      throw new CoxswainError(
        'redis_unavailable',
        'cannot reach Redis (REDIS_URL or REDIS_SENTINELS); nothing was changed',
      );
    await run(new SuspendSwitch(redis, config.redis.prefix), `cli:${userInfo().username}`);
  } finally {
    await closeRedis(redis);
  }
}
