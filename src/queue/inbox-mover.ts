import type { Queue } from 'bullmq';
import type { Logger } from '../observability/logger.ts';
import { addOnce } from './add-once.ts';
import { ID_FIELD, JOB_FIELD } from './alert-inbox.ts';
import { AlertRunJob, type RunJob } from './jobs.ts';
import { type InboxReader, type InboxReaderDeps, readInbox } from './stream-inbox.ts';

/**
 * A worker's side of the alert inbox: takes the notifications the webhook appended and adds each
 * to the runs queue once under its id (`stream-inbox.ts` says how nothing is lost between the
 * two). Adding twice is harmless: the job id is the notification's, so a second add finds the job
 * there.
 */
export type InboxMoverDeps = Pick<
  InboxReaderDeps,
  'key' | 'reader' | 'redis' | 'log' | 'claimIdleMs' | 'claimEveryMs'
> & { runs: Queue<RunJob> };

export type InboxMover = InboxReader;

export function startInboxMover(deps: InboxMoverDeps): InboxMover {
  const log = deps.log.child({ component: 'alert-inbox' });
  return readInbox({
    ...deps,
    group: 'movers',
    handle: (fields, entryId) => addEntry(deps, fields, entryId, log),
    what: 'alert notifications for the runs queue',
    log,
  });
}

/**
 * Adds the entry's job; resolves the job's key, which the entry's removal checks is there, or
 * nothing for an entry nothing can make a job.
 */
async function addEntry(
  deps: InboxMoverDeps,
  fields: Readonly<Record<string, string>>,
  entryId: string,
  log: Logger,
): Promise<string | undefined> {
  const jobId = fields[ID_FIELD];
  const job = parseJob(fields[JOB_FIELD]);
  if (jobId === undefined || !usableJobId(jobId) || job === undefined) {
    // Not written by the webhook: nothing can make it a job, and keeping it would have it
    // retried for ever. Said once, and removed.
    log.error({ entry: entryId }, 'alert inbox entry is not a notification; dropped');
    return undefined;
  }
  const outcome = await addOnce(deps.runs, deps.redis, jobId, () =>
    deps.runs.add('alert', job, { jobId }),
  );
  if (outcome === 'retried') log.warn({ jobId }, 'alert had failed before; running it again');
  return deps.runs.toKey(jobId);
}

/** The webhook's ids are 46 characters; a longer one is not its. */
const MAX_JOB_ID = 200;

/** An id BullMQ takes as a custom job id: not an integer, no ':' (the webhook's never are). */
function usableJobId(id: string): boolean {
  return (
    id.length > 0 &&
    id.length <= MAX_JOB_ID &&
    !id.includes(':') &&
    `${Number.parseInt(id, 10)}` !== id
  );
}

/**
 * The entry's job as the webhook wrote it; none when it is not one, or when BullMQ could not
 * store it (nested deeper than JSON.stringify can go: it would fail every try).
 */
function parseJob(text: string | undefined): AlertRunJob | undefined {
  if (text === undefined) return undefined;
  try {
    const parsed = AlertRunJob.safeParse(JSON.parse(text));
    if (!parsed.success) return undefined;
    JSON.stringify(parsed.data);
    return parsed.data;
  } catch {
    return undefined;
  }
}
