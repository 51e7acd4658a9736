import type { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Logger } from '../observability/logger.ts';
import { addOnce } from './add-once.ts';
import { ID_FIELD, JOB_FIELD } from './alert-inbox.ts';
import type { AlertRunJob, RunJob } from './jobs.ts';
import { type InboxReader, readInbox } from './stream-inbox.ts';

/**
 * A worker's side of the alert inbox: takes the notifications the webhook appended and adds each
 * to the runs queue once under its id (`stream-inbox.ts` says how nothing is lost between the
 * two). Adding twice is harmless: the job id is the notification's, so a second add finds the job
 * there.
 */
export type InboxMoverDeps = {
  key: string;
  /** A connection of the mover's own: its reads block. Closed when the mover stops. */
  reader: Redis;
  /** The worker's connection (waits out outages): adds, acknowledgements, claims. */
  redis: Redis;
  runs: Queue<RunJob>;
  log: Logger;
  /** How long an entry stays pending with its worker before another takes it. */
  claimIdleMs?: number;
  /** How often a worker looks for such entries. */
  claimEveryMs?: number;
};

export type InboxMover = InboxReader;

export function startInboxMover(deps: InboxMoverDeps): InboxMover {
  const log = deps.log.child({ component: 'alert-inbox' });
  return readInbox({
    key: deps.key,
    group: 'movers',
    reader: deps.reader,
    redis: deps.redis,
    handle: (fields, entryId) => addEntry(deps, fields, entryId, log),
    what: 'alert notifications for the runs queue',
    log,
    ...(deps.claimIdleMs === undefined ? {} : { claimIdleMs: deps.claimIdleMs }),
    ...(deps.claimEveryMs === undefined ? {} : { claimEveryMs: deps.claimEveryMs }),
  });
}

async function addEntry(
  deps: InboxMoverDeps,
  fields: Readonly<Record<string, string>>,
  entryId: string,
  log: Logger,
): Promise<void> {
  const jobId = fields[ID_FIELD];
  const job = parseJob(fields[JOB_FIELD]);
  if (jobId === undefined || job === undefined) {
    // Not written by the webhook: nothing can make it a job, and keeping it would have it
    // retried for ever. Said once, and removed.
    log.error({ entry: entryId }, 'alert inbox entry is not a notification; dropped');
    return;
  }
  const outcome = await addOnce(deps.runs, deps.redis, jobId, () =>
    deps.runs.add('alert', job, { jobId }),
  );
  if (outcome === 'retried') log.warn({ jobId }, 'alert had failed before; running it again');
}

function parseJob(text: string | undefined): AlertRunJob | undefined {
  if (text === undefined) return undefined;
  try {
    const job = JSON.parse(text) as { kind?: unknown };
    return job !== null && typeof job === 'object' && job.kind === 'alert'
      ? (job as AlertRunJob)
      : undefined;
  } catch {
    return undefined;
  }
}
