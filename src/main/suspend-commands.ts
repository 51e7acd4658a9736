import { userInfo } from 'node:os';
import { SuspendSwitch, suspendedLine } from '../policy/suspend.ts';
import { parseFlags, UsageError } from './args.ts';
import { withCliRedis } from './cli-redis.ts';

export const SUSPEND_USAGE = `Usage: coxswain suspend [--reason TEXT]
       coxswain resume

suspend  stops every write to every cluster at once: approvals are refused with the reason and
         queued actions wait; questions, status and diagnoses go on
resume   lets writes go on; actions that waited run

Both talk to the Redis of REDIS_URL or REDIS_SENTINELS (and REDIS_PREFIX), and are recorded in
the audit trail as cli:<your user name>.
`;

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
  await withCliRedis(
    'cannot reach Redis (REDIS_URL or REDIS_SENTINELS); nothing was changed',
    (redis, prefix) => run(new SuspendSwitch(redis, prefix), `cli:${userInfo().username}`),
  );
}
