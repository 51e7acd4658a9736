import { type Queue, UnrecoverableError } from 'bullmq';
import type { Route } from '../config/index.ts';
import type { AlertRunJob, OutboxJob } from '../queue/jobs.ts';
import { OutboxJob as OutboxJobSchema } from '../queue/jobs.ts';
import { renderAlertGroup } from './render-alert.ts';
import { routeAlert } from './routing.ts';

export type AlertRunDeps = {
  outbox: Queue<OutboxJob>;
  routes: readonly Route[];
  now: () => Date;
};

/**
 * Turns an alert notification into one message per routed channel. Outbox job ids derive from
 * the run's, so a retried run never posts twice.
 */
export async function processAlertRun(run: AlertRunJob, runJobId: string, deps: AlertRunDeps) {
  const message = renderAlertGroup(run.payload, deps.now());
  const channels = routeAlert(run.payload.commonLabels, deps.routes);
  const jobs = channels.map((channel) => {
    const parsed = OutboxJobSchema.safeParse({ channel, message });
    // Rendering fits every message to the limits, so this is a bug no retry can mend.
    if (!parsed.success)
      throw new UnrecoverableError(
        `rendered alert is not a valid message: ${parsed.error.message}`,
      );
    return {
      name: 'alert',
      data: parsed.data,
      opts: { jobId: `${runJobId}.${channel.replace(':', '.')}` },
    };
  });
  await deps.outbox.addBulk(jobs);
  return { channels };
}
