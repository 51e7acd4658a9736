import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { createLogger } from '../../src/observability/logger.ts';
import { alertInboxKey, inboxKey } from '../../src/queue/alert-inbox.ts';
import { type InboxMover, startInboxMover } from '../../src/queue/inbox-mover.ts';
import type { RunJob } from '../../src/queue/jobs.ts';
import { eventually } from './sandbox.ts';

type AppRedis = { redisUrl: string; prefix: string };

/**
 * A worker's inbox mover for an app started as a lone bot: the webhook's notifications become
 * jobs on the runs queue, which nothing then runs, so a test can read them there.
 */
export function moveAlertInbox(
  app: AppRedis,
  options: { claimIdleMs?: number } = {},
): InboxMover & { runs: Queue<RunJob> } {
  const connection = () => new Redis(app.redisUrl, { maxRetriesPerRequest: null });
  const redis = connection();
  const runs = new Queue<RunJob>('runs', { connection: redis, prefix: app.prefix });
  const mover = startInboxMover({
    key: alertInboxKey(app.prefix),
    reader: connection(),
    redis,
    runs,
    log: createLogger('silent'),
    ...options,
  });
  return {
    runs,
    async stop(timeoutMs?: number) {
      await mover.stop(timeoutMs);
      redis.disconnect();
      await runs.close();
    },
  };
}

/** Notifications the webhook accepted that no worker has made jobs yet. */
export async function inboxLength(app: AppRedis): Promise<number> {
  return streamLength(app, alertInboxKey(app.prefix));
}

/** Slack events and clicks acknowledged whose listeners have not run yet. */
export async function slackInboxLength(app: AppRedis): Promise<number> {
  return streamLength(app, inboxKey(app.prefix, 'slack'));
}

async function streamLength(app: AppRedis, key: string): Promise<number> {
  const redis = new Redis(app.redisUrl, { lazyConnect: true });
  try {
    await redis.connect();
    return await redis.xlen(key);
  } finally {
    redis.disconnect();
  }
}

/** Waits until every notification accepted so far is a job on the runs queue. */
export async function inboxDrained(app: AppRedis, timeoutMs = 15_000): Promise<void> {
  await eventually(
    async () => ((await inboxLength(app)) === 0 ? true : undefined),
    timeoutMs,
    'the alert inbox to be empty',
  );
}
