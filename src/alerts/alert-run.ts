import type { Queue } from 'bullmq';
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
  await deps.outbox.addBulk(
    channels.map((channel) => ({
      name: 'alert',
      data: OutboxJobSchema.parse({ channel, message }),
      opts: { jobId: `${runJobId}.${channel.replace(':', '.')}` },
    })),
  );
  return { channels };
}
