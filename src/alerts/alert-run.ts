import { UnrecoverableError } from 'bullmq';
import { type Outbox, postToChat } from '../chat/post-to-chat.ts';
import type { Route } from '../config/index.ts';
import type { AlertRunJob } from '../queue/jobs.ts';
import { renderAlertGroup } from './render-alert.ts';
import { routeAlert } from './routing.ts';
import { AlertmanagerPayload } from './schema.ts';

type AlertRunDeps = {
  outbox: Outbox;
  routes: readonly Route[];
  now: () => Date;
};

/**
 * Turns an alert notification into one message per routed channel. Outbox job ids derive from
 * the run's, so a retried run never posts twice.
 */
export async function processAlertRun(run: AlertRunJob, runJobId: string, deps: AlertRunDeps) {
  const parsed = AlertmanagerPayload.safeParse(run.payload);
  // The same failure as any job whose data does not match: the receiver let nothing else through.
  if (!parsed.success) throw new UnrecoverableError('runs job does not match its schema');
  const payload = parsed.data;
  const message = renderAlertGroup(payload, deps.now());
  const channels = routeAlert(payload.commonLabels, deps.routes);
  for (const channel of channels)
    await postToChat(deps.outbox, { kind: 'alert', key: [runJobId, channel], channel, message });
  return { channels };
}
