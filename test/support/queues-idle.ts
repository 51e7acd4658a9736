import { Queue } from 'bullmq';
import { inboxLength, slackInboxLength } from './alert-inbox.ts';
import { eventually } from './sandbox.ts';

/** Every state in which a job still has work to do. */
const UNFINISHED = ['waiting', 'active', 'delayed', 'prioritized', 'waiting-children'] as const;

/**
 * A schedule's next tick (a workflow's job scheduler keeps one delayed job, hours ahead): not
 * work that a chat event or an alert could have caused.
 */
function isNextTick(job: { id?: string | undefined; delay: number; timestamp: number }): boolean {
  return (job.id ?? '').startsWith('repeat:') && job.timestamp + job.delay > Date.now() + 60_000;
}

/**
 * Waits until no Slack event acknowledged waits for its listeners, and none of the app's queues
 * holds a job still to run (with the runs queue, no alert notification waits in the inbox to
 * become one either). A chat event's work is in Redis before the event is acknowledged, so once
 * all of this is idle after an acknowledgement, nothing more can come of the events sent so far:
 * the signal a test waits on before it says that something did not happen.
 */
export async function queuesIdle(
  app: { redisUrl: string; prefix: string },
  names: string[] = ['runs', 'actions', 'outbox'],
  timeoutMs = 15_000,
): Promise<void> {
  const queues = names.map(
    (name) => new Queue(name, { connection: { url: app.redisUrl }, prefix: app.prefix }),
  );
  try {
    await eventually(
      async () => {
        if ((await slackInboxLength(app)) > 0) return undefined;
        if (names.includes('runs') && (await inboxLength(app)) > 0) return undefined;
        const jobs = (await Promise.all(queues.map((q) => q.getJobs([...UNFINISHED])))).flat();
        return jobs.every(isNextTick) ? true : undefined;
      },
      timeoutMs,
      `queues ${names.join(', ')} to be idle`,
    );
  } finally {
    await Promise.all(queues.map((q) => q.close()));
  }
}
