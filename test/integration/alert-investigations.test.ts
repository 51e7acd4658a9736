import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { AlertGroups, groupId } from '../../src/alerts/alert-groups.ts';
import { Incidents } from '../../src/alerts/incidents.ts';
import { Investigations } from '../../src/alerts/investigations.ts';
import type { AlertmanagerPayload } from '../../src/alerts/schema.ts';
import { ProposalStore } from '../../src/approvals/proposal-store.ts';
import type { OutboxJob } from '../../src/chat/outbox-job.ts';
import { Route } from '../../src/config/file.ts';
import { Binding } from '../../src/config/policy-schema.ts';
import { FeedbackStore } from '../../src/feedback/feedback-store.ts';
import { createLogger } from '../../src/observability/logger.ts';
import type { Queues } from '../../src/queue/queues.ts';
import type { Clusters } from '../../src/tools/kubernetes/cluster.ts';
import { startInvestigations } from '../../src/worker/alert-investigations.ts';
import { recordDiagnosis, reportIncident } from '../../src/worker/incident-reports.ts';
import { dropPrefix, testPrefix, testRedisUrl } from '../support/redis.ts';

/**
 * Storm control joins an alert to the investigation under way about the same subject, and only
 * where the joining channel can read that investigation: in the same channel, on the same
 * cluster, whatever labels tell the clusters apart. An alert its channel's binding does not cover
 * starts nothing and holds no subject.
 */
const prefix = testPrefix();
const redis = new Redis(testRedisUrl());
const log = createLogger('silent');
const groups = new AlertGroups(redis, prefix);
const incidents = new Incidents(redis, prefix);
const investigations = new Investigations(redis, prefix);
const proposals = new ProposalStore(redis, prefix);
const feedback = new FeedbackStore(redis, prefix);

afterAll(async () => {
  redis.disconnect();
  await dropPrefix(testRedisUrl(), prefix);
});

/** The queues as the worker holds them, recording what is added (no worker consumes here). */
const posted: { name: string; data: OutboxJob }[] = [];
const runs: { name: string; data: unknown }[] = [];
const queues = {
  runs: { add: async (name: string, data: unknown) => runs.push({ name, data }) },
  outbox: { add: async (name: string, data: OutboxJob) => posted.push({ name, data }) },
  actions: { add: async () => undefined },
} as unknown as Queues;

// Two clusters, each with its own on-call channel, bound to its own cluster only. The alerts
// carry `env` (as many multi-cluster setups do), not `cluster`.
const bindings = [
  Binding.parse({
    channel: 'slack:C0PROD',
    clusters: ['prod'],
    namespaces: ['payments'],
    approvers: ['slack:U0PRODSRE'],
  }),
  Binding.parse({
    channel: 'slack:C0STAGING',
    clusters: ['staging'],
    namespaces: ['payments'],
    approvers: ['slack:U0INTERN'],
  }),
];
const routes = [
  Route.parse({ match: { env: 'prod' }, channels: ['slack:C0PROD'] }),
  Route.parse({ match: { env: 'staging' }, channels: ['slack:C0STAGING'] }),
];
const deps = {
  queues,
  // The worker's default cluster; each binding names its own.
  clusters: { get: () => ({ name: 'prod' }) as ReturnType<Clusters['get']> },
  routes,
  clusterEntries: [],
  bindings,
  workflows: { workflows: () => new Map() },
  investigations,
  incidents,
  investigationWindowSeconds: 900,
  log,
};

function payload(env: string, status: 'firing' | 'resolved'): AlertmanagerPayload {
  const labels = {
    alertname: 'PaymentsErrorsHigh',
    namespace: 'payments',
    deployment: 'payments-api',
    env,
  };
  return {
    version: '4',
    groupKey: `{}:{env="${env}"}`,
    truncatedAlerts: 0,
    status,
    receiver: 'coxswain',
    groupLabels: { env },
    commonLabels: labels,
    commonAnnotations: {},
    externalURL: '',
    alerts: [
      {
        status,
        labels,
        annotations: {},
        startsAt: '2026-12-06T10:00:00Z',
        ...(status === 'resolved' ? { endsAt: '2026-12-06T10:30:00Z' } : {}),
        generatorURL: '',
        fingerprint: `fp-${env}`,
      },
    ],
  };
}

/** What the runs worker does with a notification, minus rendering the group message. */
async function process(env: string, status: 'firing' | 'resolved', channel: string) {
  const p = payload(env, status);
  const group = await groups.merge(p);
  const observed = await incidents.observe(p, group, [channel]);
  if (observed.kind === 'closed')
    await reportIncident(observed.incident, {
      incidents,
      bindings,
      feedback,
      proposals,
      outbox: queues.outbox,
      log,
    });
  const started = await startInvestigations(
    { kind: 'alert', receivedAt: '2026-12-06T10:00:05Z', payload: p },
    deps,
    observed.kind === 'opened' || observed.kind === 'ongoing' ? observed.incident.id : undefined,
  );
  return { observed, started };
}

const textOf = (job: OutboxJob) => JSON.stringify(job.message);

describe('storm control across clusters', () => {
  it('investigates the same-named workload of each cluster in its own channel, and never shows one to the other', async () => {
    const prod = await process('prod', 'firing', 'slack:C0PROD');
    expect(prod.started).toHaveLength(1);
    // The prod investigation answers in prod's thread: that is its diagnosis.
    if (prod.observed.kind !== 'opened') throw new Error('prod incident not opened');
    await recordDiagnosis(incidents, prod.observed.incident.threadKey, {
      text: 'payments-api (prod) is OOMKilled\n\nprod log: charge failed for card holder 4111-xxxx; db=payments-prod-primary.internal:5432',
      by: 'analyzers, no model',
      runId: 'ask.alert.prod',
      at: new Date('2026-12-06T10:02:00Z'),
    });

    // The same-named workload in staging fires: a separate cluster, a separate channel.
    const staging = await process('staging', 'firing', 'slack:C0STAGING');
    const joinNote = posted.find(
      (p) =>
        p.data.channel === 'slack:C0STAGING' && /Already under investigation/.test(textOf(p.data)),
    );
    const toProd = posted.find(
      (p) => p.data.channel === 'slack:C0PROD' && /joined this investigation/.test(textOf(p.data)),
    );
    await process('staging', 'resolved', 'slack:C0STAGING');
    const report = posted.find(
      (p) => p.data.channel === 'slack:C0STAGING' && /Incident resolved/.test(textOf(p.data)),
    );

    expect({
      stagingInvestigations: staging.started.length,
      joinNoteInStaging: joinNote !== undefined,
      noteInProd: toProd !== undefined,
      prodEvidenceInStagingReport: /payments-prod-primary/.test(report ? textOf(report.data) : ''),
    }).toEqual({
      stagingInvestigations: 1,
      joinNoteInStaging: false,
      noteInProd: false,
      prodEvidenceInStagingReport: false,
    });
  });
});

describe('an alert its channel does not cover', () => {
  it('starts no run and holds no subject: an alert about the same pod where it is covered is investigated', async () => {
    const { loadWorkflowFiles } = await import('../../src/workflows/load-files.ts');
    const files = loadWorkflowFiles(new URL('../../workflows/', import.meta.url).pathname);
    const own = {
      ...deps,
      bindings: [
        Binding.parse({ channel: 'slack:C0PAY', clusters: ['prod'], namespaces: ['payments'] }),
        Binding.parse({ channel: 'slack:C0WEB', clusters: ['prod'], namespaces: ['frontend'] }),
      ],
      routes: [
        Route.parse({ match: { team: 'web' }, channels: ['slack:C0WEB'] }),
        Route.parse({ match: {}, channels: ['slack:C0PAY'] }),
      ],
      workflows: { workflows: () => files.yaml },
    };
    const crash = (pod: string, extra: Record<string, string>): AlertmanagerPayload => {
      const labels = {
        alertname: 'KubePodCrashLooping',
        cluster: 'prod',
        namespace: 'payments',
        pod,
        ...extra,
      };
      return {
        version: '4',
        groupKey: `{}:{pod="${pod}"}`,
        truncatedAlerts: 0,
        status: 'firing',
        receiver: 'coxswain',
        groupLabels: {},
        commonLabels: labels,
        commonAnnotations: {},
        externalURL: '',
        alerts: [
          {
            status: 'firing',
            labels,
            annotations: {},
            startsAt: '2026-12-06T11:00:00Z',
            generatorURL: '',
            fingerprint: pod,
          },
        ],
      };
    };
    runs.length = 0;
    // A rule the web team owns labels an alert about a payments pod with team=web (hostile, or
    // just careless): it routes to the web channel, whose binding does not cover payments.
    const stray = crash('payments-api-7d9f8b6c5d-aaaaa', { team: 'web' });
    const strayStarted = await startInvestigations(
      { kind: 'alert', receivedAt: '2026-12-06T11:00:05Z', payload: stray },
      own,
    );
    expect(strayStarted).toEqual([]);
    expect(runs).toEqual([]);

    // The genuine alert about the same workload, routed to payments' own channel:
    const genuine = crash('payments-api-7d9f8b6c5d-bbbbb', {});
    const started = await startInvestigations(
      { kind: 'alert', receivedAt: '2026-12-06T11:01:05Z', payload: genuine },
      own,
    );
    const leak = posted.find(
      (p) => p.data.channel === 'slack:C0WEB' && /joined this investigation/.test(textOf(p.data)),
    );
    expect({ started: started.length, toldWeb: leak !== undefined }).toEqual({
      started: 1,
      toldWeb: false,
    });
  });
});

describe('one cause raising three alert groups', () => {
  it('investigates once, and the groups that join name the thread where that investigation answers', async () => {
    const { loadWorkflowFiles } = await import('../../src/workflows/load-files.ts');
    const files = loadWorkflowFiles(new URL('../../workflows/', import.meta.url).pathname);
    const own = {
      ...deps,
      bindings: [
        Binding.parse({ channel: 'slack:C0SHOP', clusters: ['prod'], namespaces: ['shop'] }),
      ],
      routes: [Route.parse({ match: {}, channels: ['slack:C0SHOP'] })],
      // The shipped pod-crashloop workflow takes KubePodCrashLooping.
      workflows: { workflows: () => files.yaml },
    };
    // What kube-prometheus's rules raise, grouped by alert name and namespace as the shipped
    // Alertmanager does, when an OOM-killed deployment crash-loops: the alerts name its pods or
    // the deployment itself, each group in a message and thread of its own.
    const group = (alertname: string, labels: Record<string, string>): AlertmanagerPayload => {
      const all = { alertname, namespace: 'shop', severity: 'warning', ...labels };
      return {
        version: '4',
        groupKey: `{}:{alertname="${alertname}", namespace="shop"}`,
        truncatedAlerts: 0,
        status: 'firing',
        receiver: 'coxswain',
        groupLabels: { alertname, namespace: 'shop' },
        commonLabels: all,
        commonAnnotations: {},
        externalURL: '',
        alerts: [
          {
            status: 'firing',
            labels: all,
            annotations: {},
            startsAt: '2026-12-06T12:00:00Z',
            generatorURL: '',
            fingerprint: `fp-${alertname}`,
          },
        ],
      };
    };
    runs.length = 0;
    posted.length = 0;
    const storm = [
      group('KubeContainerMemoryNearLimit', { pod: 'cart-8gx8x7ztfj-k2m4p', container: 'cart' }),
      group('KubeDeploymentReplicasMismatch', { deployment: 'cart' }),
      group('KubePodCrashLooping', { pod: 'cart-8gx8x7ztfj-wsfbd', container: 'cart' }),
    ];

    const started: string[] = [];
    for (const payload of storm)
      started.push(
        ...(await startInvestigations(
          { kind: 'alert', receivedAt: '2026-12-06T12:00:05Z', payload },
          own,
        )),
      );

    // The one investigation answers in the thread it was queued for; every note in the other
    // threads sends the reader there, by the name its group's message shows.
    const threadOf = new Map(storm.map((p) => [`alert.${groupId(p.groupKey)}`, p]));
    const answersIn = (runs[0]?.data as { threadKey?: string } | undefined)?.threadKey ?? '';
    const holder = threadOf.get(answersIn)?.commonLabels.alertname;
    const named = posted
      .map((p) => /the diagnosis goes in the thread of (\w+)/.exec(textOf(p.data))?.[1])
      .filter((name) => name !== undefined);
    expect({ started: started.length, named }).toEqual({
      started: 1,
      named: [holder, holder],
    });
  });
});
