import { createHash } from 'node:crypto';
import type { AlertmanagerPayload } from './schema.ts';

/**
 * The runs job id of a notification. Alertmanager resends an identical notification when our
 * answer is lost or late, and the same id makes BullMQ keep only the first.
 *
 * Besides the group key, the group status and the fingerprints, each alert's own status and
 * start time go in: a group that stays "firing" while one of its alerts resolves, or an alert
 * that resolves and fires again, is news and must get an id of its own.
 */
export function alertJobId(payload: Pick<AlertmanagerPayload, 'groupKey' | 'status' | 'alerts'>) {
  const alerts = payload.alerts
    .map((alert) => `${alert.fingerprint}|${alert.status}|${alert.startsAt}`)
    .sort();
  const hash = createHash('sha256')
    .update(payload.groupKey)
    .update('\n')
    .update(payload.status)
    .update('\n')
    .update(alerts.join('\n'))
    .digest('hex');
  return `alert-${hash.slice(0, 40)}`;
}
