import { hash } from 'node:crypto';
import { REFIRE_AFTER_MS } from './alert-groups.ts';
import type { AlertmanagerPayload } from './schema.ts';

/**
 * The runs job id of a notification. Alertmanager resends an identical notification when our
 * answer is lost or late, and the same id makes BullMQ keep only the first.
 *
 * Besides the group key, the group status and the fingerprints, each alert's own status and
 * start time go in: a group that stays "firing" while one of its alerts resolves, or an alert
 * that resolves and fires again, is news and must get an id of its own. So does the window of
 * the refire rule (`REFIRE_AFTER_MS`) the notification was received in: an alert that Prometheus
 * sends again after a restart carries its old start, and without it would repeat the id of its
 * first firing, still kept. A retry that falls in the next window is queued again and changes
 * nothing: the group's state is merged by the alerts' own timestamps.
 */
export function alertJobId(
  payload: Pick<AlertmanagerPayload, 'groupKey' | 'status' | 'alerts'>,
  receivedAt: Date,
) {
  const alerts = payload.alerts
    .map((alert) => `${alert.fingerprint}|${alert.status}|${alert.startsAt}`)
    .sort();
  const digest = hash(
    'sha256',
    [
      payload.groupKey,
      payload.status,
      alerts.join('\n'),
      String(Math.floor(receivedAt.getTime() / REFIRE_AFTER_MS)),
    ].join('\n'),
  );
  return `alert-${digest.slice(0, 40)}`;
}
