import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AlertGroups, groupId } from '../../src/alerts/alert-groups.ts';
import { groupSilence } from '../../src/alerts/alert-silence.ts';
import { ProposalStore } from '../../src/approvals/proposal-store.ts';
import { offerAlertSilence } from '../../src/approvals/silence-alert.ts';
import { Binding, DEFAULT_AUTONOMY } from '../../src/config/policy-schema.ts';
import type { MetricsContext } from '../../src/tools/metrics/context.ts';
import { executeSilence, proposeSilence } from '../../src/tools/metrics/silence.ts';
import { isSilence } from '../../src/tools/proposed-action.ts';
import { type Monitoring, startMonitoring, waitFor } from '../support/prometheus.ts';
import { dropPrefix, testPrefix, testRedisUrl } from '../support/redis.ts';

/**
 * Silences that hide more than their card and their authorisation say, on a real Alertmanager
 * that holds alerts of two clusters (staging and prod), as one Alertmanager for several clusters
 * does (alerts routed to channels by their `cluster` label).
 */
let monitoring: Monitoring;
let context: MetricsContext;
let redis: Redis;
let store: ProposalStore;
const prefix = testPrefix();

type Alert = { labels: Record<string, string>; status: { silencedBy: string[] } };
const alertsNow = async () =>
  (await (await fetch(`${monitoring.alertmanagerUrl}/api/v2/alerts`)).json()) as Alert[];
const silencedBy = (alerts: Alert[], silence: string) =>
  alerts.filter((a) => a.status.silencedBy.includes(silence)).map((a) => a.labels);

beforeAll(async () => {
  redis = new Redis(testRedisUrl());
  store = new ProposalStore(redis, prefix);
  monitoring = await startMonitoring('groups: []\n');
  context = {
    prometheusUrl: monitoring.prometheusUrl,
    alertmanagerUrl: monitoring.alertmanagerUrl,
  };
  const endsAt = new Date(Date.now() + 3_600_000).toISOString();
  const alert = (cluster: string, alertname: string) => ({
    labels: { alertname, namespace: 'shop', cluster, severity: 'warning' },
    annotations: {},
    startsAt: new Date().toISOString(),
    endsAt,
  });
  const posted = await fetch(`${monitoring.alertmanagerUrl}/api/v2/alerts`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify([
      alert('staging', 'KubePodCrashLooping'),
      alert('prod', 'KubePodCrashLooping'),
      alert('prod', 'KubeDeploymentReplicasMismatch'),
    ]),
  });
  expect(posted.status).toBe(200);
  await waitFor(async () => (await alertsNow()).length >= 3, 20_000, 'alerts');
}, 30_000);

afterAll(async () => {
  await dropPrefix(testRedisUrl(), prefix);
  redis?.disconnect();
  await monitoring?.stop();
});

const staging = Binding.parse({
  channel: 'slack:C0STAGING',
  clusters: ['staging'],
  maxTier: 'confirm',
  approvers: ['slack:U0LEAD'],
});

describe('what a silence really hides', () => {
  it("a staging channel's Silence 2h does not hide prod's alerts (group_by without cluster)", async () => {
    // Alertmanager grouped by alertname and namespace: the group's labels name no cluster.
    const labels = { alertname: 'KubePodCrashLooping', namespace: 'shop' };
    // Coxswain knows both clusters (a channel for each); their alerts share one Alertmanager.
    const prod = Binding.parse({ ...staging, channel: 'slack:C0PROD', clusters: ['prod'] });
    const offered = groupSilence(
      labels,
      'slack:C0STAGING',
      { bindings: [staging, prod], autonomy: DEFAULT_AUTONOMY },
      'slack:U0ASK',
    );
    if (!offered.ok) throw new Error(offered.reason);
    expect(offered.action.target.cluster).toBe('staging');

    const made = await executeSilence(
      context,
      offered.action,
      'p-staging',
      'slack:U0LEAD',
      new Date(),
    );
    const hidden = await waitFor(
      async () => silencedBy(await alertsNow(), made.silenceId).length > 0,
      10_000,
      'silenced',
    ).then(async () => silencedBy(await alertsNow(), made.silenceId));

    // Authorised and carded as cluster staging; it must hide staging's alert only.
    expect(hidden.map((l) => l.cluster)).toEqual(['staging']);
  });

  it('refuses matchers that every alert meets (every alert has an alertname)', () => {
    const everyAlert = [
      { name: 'alertname', value: '.+', isRegex: true, isEqual: true },
      { name: 'alertname', value: '', isRegex: false, isEqual: false },
    ];
    const accepted = everyAlert.filter((m) => {
      try {
        proposeSilence({ cluster: 'staging', matchers: [m], durationMinutes: 120, comment: 'x' });
        return true;
      } catch {
        return false;
      }
    });
    expect(accepted).toEqual([]);
  });

  it('two clicks at once on Silence 2h make one card, not two', async () => {
    const groups = new AlertGroups(redis, prefix);
    const id = groupId('{}:{alertname="KubePodCrashLooping", namespace="race"}');
    await groups.keepSilenceLabels(id, { alertname: 'KubePodCrashLooping', namespace: 'race' });
    const deps = {
      proposals: store,
      groups,
      outbox: { add: async () => undefined },
      bindings: [staging],
      autonomy: DEFAULT_AUTONOMY,
      dashboardUrl: undefined,
      alertmanager: true,
    };
    const click = (requester: string, clickId: string) => ({
      channel: 'slack:C0STAGING',
      requester,
      action: 'silence' as const,
      value: id,
      clickId,
    });

    await Promise.all([
      offerAlertSilence(click('slack:U1', 'r1'), deps),
      offerAlertSilence(click('slack:U2', 'r2'), deps),
    ]);
    const pending = [];
    for (const p of await store.pending()) {
      const record = await store.record(p);
      const action = record?.action;
      if (
        action !== undefined &&
        isSilence(action) &&
        action.matchers.some((m) => m.value === 'race')
      )
        pending.push(p);
    }
    expect(pending).toHaveLength(1);
  });
});
