import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunView } from '../../src/workflows/run-record.ts';
import { RedisRunStore } from '../../src/workflows/run-store.ts';
import { postAlert, startTestApp, type TestApp } from '../support/app.ts';
import { writeApprovalConfig } from '../support/config-file.ts';
import { eventually, useSandbox } from '../support/sandbox.ts';
import { SseClient } from '../support/sse.ts';

/**
 * The workflows in workflows/, each run end to end on the sandbox scenario it is for: started the
 * way it is meant to be (a person in a console channel, an alert through the webhook), its gate's
 * card approved by an approver, the change applied, and the run finished.
 */
const sandbox = useSandbox(['oom-crashloop', 'bad-rollout', 'node-memory-pressure']);
let app: TestApp;
let redis: Redis;
let store: RedisRunStore;
let stream: SseClient;

beforeAll(async () => {
  const config = writeApprovalConfig(
    {
      cluster: 'sandbox',
      kubeconfig: sandbox.kubeconfig,
      channel: 'web:ops',
      approvers: ['web:sre'],
    },
    { routes: [{ match: {}, channels: ['web:ops'] }] },
  );
  app = await startTestApp({ COXSWAIN_CONFIG: config }, 'all', { trustLocalNames: true });
  redis = new Redis(app.redisUrl);
  store = new RedisRunStore(redis, app.prefix);
  stream = await SseClient.connect(`${app.baseUrl}/api/stream?channel=ops`);
}, 60_000);

afterAll(async () => {
  await stream?.close();
  redis?.disconnect();
  await app?.stop();
});

type Entry = {
  id: string;
  bot: boolean;
  message: { headline?: string; text?: string; buttons: { action: string }[] };
};

/** The first message after the first `after` events of the stream that matches. */
function entry(pattern: (e: Entry) => boolean, after: number, timeoutMs = 60_000): Promise<Entry> {
  const earlier = new Set(stream.events.slice(0, after));
  return stream
    .next(
      (e) => !earlier.has(e) && e.event === 'message' && pattern(JSON.parse(e.data) as Entry),
      timeoutMs,
    )
    .then((e) => JSON.parse(e.data) as Entry);
}

async function say(text: string) {
  await fetch(`${app.baseUrl}/api/channels/ops/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ text, author: 'dana' }),
  });
}

/**
 * Approves the card whose headline contains `what`, posted after the first `after` events (other
 * runs may offer the same change), as the channel's approver.
 */
async function approve(what: string, after: number): Promise<void> {
  const card = await entry(
    (e) =>
      (e.message.headline ?? '').includes(what) &&
      e.message.buttons.some((b) => b.action === 'approve'),
    after,
  );
  const clicked = await fetch(`${app.baseUrl}/api/channels/ops/clicks`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ entry: card.id, button: 0, author: 'sre' }),
  });
  expect(clicked.status).toBe(202);
}

function finished(workflow: string): Promise<RunView> {
  return eventually(
    async () =>
      (await store.recent(50)).find(
        (v) => v.run.workflow.name === workflow && v.state !== 'running' && v.state !== 'waiting',
      ),
    90_000,
    `workflow ${workflow} to finish`,
  );
}

function alert(labels: Record<string, string>, fingerprint: string) {
  const firing = {
    status: 'firing',
    labels,
    annotations: { summary: `${labels.alertname} fired` },
    startsAt: new Date().toISOString(),
    endsAt: '0001-01-01T00:00:00Z',
    generatorURL: 'http://prometheus.example/graph',
    fingerprint,
  };
  return {
    receiver: 'coxswain',
    status: 'firing',
    alerts: [firing],
    groupLabels: { alertname: labels.alertname },
    commonLabels: labels,
    commonAnnotations: firing.annotations,
    externalURL: 'http://alertmanager.example',
    version: '4',
    groupKey: `{}:{alertname="${labels.alertname}",fingerprint="${fingerprint}"}`,
    truncatedAlerts: 0,
  };
}

async function podOf(namespace: string, prefix: string): Promise<string> {
  const pods = await sandbox.cluster.core.listNamespacedPod({ namespace });
  const pod = pods.items.find((p) => p.metadata?.name?.startsWith(prefix));
  if (pod?.metadata?.name === undefined) throw new Error(`no pod ${prefix}… in ${namespace}`);
  return pod.metadata.name;
}

describe('the shipped workflows', () => {
  it('cluster-health-check: runs on its schedule and by hand, and sums up the cluster', async () => {
    const runs = new Queue('runs', { connection: redis, prefix: app.prefix });
    const schedulers = await eventually(async () => {
      const found = await runs.getJobSchedulers(0, -1);
      return found.length > 0 ? found : undefined;
    });
    await runs.close();
    expect(schedulers).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ key: 'workflow.cluster-health-check.0', pattern: '0 */6 * * *' }),
      ]),
    );

    await say('@coxswain workflow cluster-health-check');

    const run = await finished('cluster-health-check');
    expect(run.state).toBe('succeeded');
    expect(run.steps.status).toMatchObject({
      state: 'succeeded',
      outputs: { healthy: false, node_conditions: ['sandbox-worker3: MemoryPressure'] },
    });
    const findings = run.steps.findings;
    expect(findings?.state === 'succeeded' && findings.text).toContain('orders-api');
    expect(run.steps.summary).toMatchObject({ state: 'succeeded' });
  }, 120_000);

  it('pod-crashloop: an OOM-killed pod gets more memory once approved, and the rollout is checked', async () => {
    const pod = await podOf('payments', 'payments-api-');

    const after = stream.events.length;
    await postAlert(
      app.baseUrl,
      alert(
        { alertname: 'KubePodCrashLooping', namespace: 'payments', pod, severity: 'critical' },
        'crash0001',
      ),
    );
    await approve('set memory limit 256Mi → 384Mi', after);

    const run = await finished('pod-crashloop');
    expect(run.state).toBe('succeeded');
    expect(run.run.trigger).toBe('alert');
    expect(run.steps['check-logs']).toMatchObject({ outputs: { cause: 'oom' } });
    expect(run.steps['raise-memory']).toMatchObject({
      state: 'succeeded',
      outputs: { state: 'succeeded', approved_by: 'web:sre' },
    });
    expect(run.steps.verify).toMatchObject({ state: 'succeeded' });
    const deployment = await sandbox.cluster.apps.readNamespacedDeployment({
      namespace: 'payments',
      name: 'payments-api',
    });
    expect(deployment.spec?.template.spec?.containers[0]?.resources?.limits?.memory).toBe('384Mi');
  }, 120_000);

  it('rollback-app: shows the history, rolls back once approved, and verifies', async () => {
    const after = stream.events.length;
    await say('@coxswain workflow rollback-app app=orders-api namespace=orders');
    await approve('roll back deployment orders/orders-api from revision 2 to revision 1', after);

    const run = await finished('rollback-app');
    expect(run.state).toBe('succeeded');
    expect(run.steps.history).toMatchObject({ outputs: { current: 2, previous: 1 } });
    expect(run.steps.rollback).toMatchObject({ state: 'succeeded' });
    expect(run.steps.verify).toMatchObject({ state: 'succeeded' });
    const deployment = await sandbox.cluster.apps.readNamespacedDeployment({
      namespace: 'orders',
      name: 'orders-api',
    });
    expect(deployment.spec?.template.spec?.containers[0]?.image).toBe(
      'ghcr.io/example/orders-api:1.4.0',
    );
  }, 120_000);

  it('node-pressure-response: finds the pods driving the pressure and relieves the node once approved', async () => {
    const after = stream.events.length;
    await postAlert(
      app.baseUrl,
      alert(
        { alertname: 'KubeNodePressure', node: 'sandbox-worker3', condition: 'MemoryPressure' },
        'node0001',
      ),
    );
    await approve('scale deployment batch/report-builder', after);

    const run = await finished('node-pressure-response');
    expect(run.state).toBe('succeeded');
    expect(run.steps.pressure).toMatchObject({
      outputs: {
        workload: 'report-builder',
        namespace: 'batch',
        replicas: 3,
        memory_used: '4608Mi',
        memory_request: '1Gi',
      },
    });
    const deployment = await sandbox.cluster.apps.readNamespacedDeployment({
      namespace: 'batch',
      name: 'report-builder',
    });
    expect(deployment.spec?.replicas).toBe(2);
    expect(run.steps.relieve).toMatchObject({
      state: 'succeeded',
      outputs: { approved_by: 'web:sre' },
    });
  }, 120_000);
});
