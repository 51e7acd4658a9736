import { createHash } from 'node:crypto';
import { UnrecoverableError } from 'bullmq';
import { type Outbox, postToChat } from '../chat/post-to-chat.ts';
import type { ClusterEntry, Route } from '../config/index.ts';
import type { Autonomy, Binding } from '../config/policy-schema.ts';
import type { AlertRunJob } from '../queue/jobs.ts';
import type { ChannelRef } from '../shared/channel.ts';
import { type AlertGroups, groupId } from './alert-groups.ts';
import { groupSilence } from './alert-silence.ts';
import type { Incidents } from './incidents.ts';
import { matchableLabels, renderAlertGroup } from './render-alert.ts';
import { routeAlert } from './routing.ts';
import { AlertmanagerPayload } from './schema.ts';

type AlertRunDeps = {
  outbox: Outbox;
  routes: readonly Route[];
  /** The clusters as configured: where a cluster's alerts go when no route takes them. */
  clusters: readonly ClusterEntry[];
  groups: AlertGroups;
  incidents: Incidents;
  /** Who may be offered what: a channel that could not be offered the group's silence gets no button. */
  bindings: readonly Binding[];
  autonomy: Autonomy;
  /**
   * Whether an Alertmanager is configured (ALERTMANAGER_URL) to make silences in: without one an
   * approved silence could only fail, so no message offers it.
   */
  alertmanager: boolean;
  now: () => Date;
};

/**
 * Turns an alert notification into its group's one message in each routed channel: the group as
 * it stands after this notification (`alert-groups.ts`), edited in place, its version the group's
 * latest event, so a late notification never shows an older state over a newer one. Each distinct
 * message is posted once, however often the notification is retried. What the group's state
 * means for its incident (opened, still open, closed) is returned for the caller to act on.
 */
export async function processAlertRun(run: AlertRunJob, runJobId: string, deps: AlertRunDeps) {
  const parsed = AlertmanagerPayload.safeParse(run.payload);
  // The same failure as any job whose data does not match: the receiver let nothing else through.
  if (!parsed.success) throw new UnrecoverableError('runs job does not match its schema');
  const payload = parsed.data;
  const group = await deps.groups.merge(payload, new Date(run.receivedAt));
  // A group Alertmanager cut short fires while it says so, whatever the alerts it sent say.
  const firing =
    group.alerts.some((alert) => alert.status === 'firing') ||
    (payload.truncatedAlerts > 0 && payload.status === 'firing');
  const message = renderAlertGroup(
    {
      ...payload,
      alerts: group.alerts,
      // Alerts the group could not keep are shown as Alertmanager's cut-off ones are.
      truncatedAlerts: payload.truncatedAlerts + group.truncated,
      status: firing ? 'firing' : 'resolved',
    },
    deps.now(),
  );
  const id = groupId(payload.groupKey);
  if (firing) await deps.groups.keepSilenceLabels(id, matchableLabels(payload));
  const channels = routeAlert(payload.commonLabels, deps.routes, deps.clusters);
  for (const channel of channels) {
    const shown = offersSilence(payload, channel, deps)
      ? message
      : { ...message, buttons: (message.buttons ?? []).filter((b) => b.action !== 'silence') };
    const digest = createHash('sha256').update(JSON.stringify(shown)).digest('hex').slice(0, 16);
    await postToChat(deps.outbox, {
      kind: 'alert',
      key: [id, channel, String(group.version), digest],
      channel,
      message: shown,
      replace: { key: `alert.${id}`, version: group.version },
    });
  }
  const incident = await deps.incidents.observe(payload, group, channels, firing);
  return { channels, group: id, runJobId, incident };
}

/**
 * Whether the channel could be offered the silence its button would propose: an Alertmanager to
 * make it in, and a binding that reaches it.
 */
function offersSilence(
  payload: AlertmanagerPayload,
  channel: ChannelRef,
  deps: Pick<AlertRunDeps, 'bindings' | 'autonomy' | 'alertmanager'>,
): boolean {
  return deps.alertmanager && groupSilence(matchableLabels(payload), channel, deps, 'anyone').ok;
}
