import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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
 * A YAML workflow run by the engine on the whole product: started from a console channel, its
 * steps as jobs (two at once where their needs allow), a later step reading an earlier one's
 * outputs, a condition, a confirm gate whose card is approved (the change applied once and the
 * run going on with its result) or rejected (the run stopping, saying why), and a report.
 */
const sandbox = useSandbox(['oom-crashloop']);
let app: TestApp;
let redis: Redis;
let store: RedisRunStore;

const WORKFLOW = `
name: crash-fix
description: Diagnose a crash loop and raise the memory limit if it is OOM
trigger:
  - manual: true
inputs:
  namespace: { type: string, default: payments }
steps:
  - name: diagnose
    action: diagnose
    inputs: { namespace: "{{ inputs.namespace }}" }
  - name: check-logs
    action: analyze-logs
    needs: [diagnose]
    inputs: { namespace: "{{ inputs.namespace }}", pod: "{{ steps.diagnose.pod }}" }
  - name: pod
    action: get-pod-status
    needs: [diagnose]
    inputs: { namespace: "{{ inputs.namespace }}", pod: "{{ steps.diagnose.pod }}" }
  - name: fix
    needs: [check-logs, pod]
    condition: "steps.check-logs.cause == 'oom' && steps.pod.restarts > 0"
    action: update-resources
    confirm: true
    inputs:
      namespace: "{{ inputs.namespace }}"
      name: "{{ steps.diagnose.workload }}"
      container: "{{ steps.diagnose.container }}"
      limits: { memory: "{{ steps.diagnose.memory_limit }}" }
  - name: verify
    action: rollout-status
    inputs: { namespace: "{{ inputs.namespace }}", name: "{{ steps.diagnose.workload }}" }
  - name: notify
    action: report
`;

/** A gate on its own, to be rejected. */
const RESTART = `
name: restart-gate
steps:
  - name: restart
    action: rollout-restart
    confirm: true
    inputs: { namespace: payments, name: payments-api }
  - name: notify
    action: report
`;

/** Every two seconds, from a job scheduler however many workers there are. */
const TICK = `
name: tick
trigger:
  schedule: "*/2 * * * * *"
steps:
  - action: report
`;

/** Started by an alert, once per alert however often Alertmanager sends it. */
const ALERTED = `
name: alerted
trigger:
  alert:
    match: { alertname: { regex: "Disk.*" }, severity: critical }
steps:
  - name: summary
    action: report
`;

/** A restart the workflow approves itself: the channel is bound at confirm, the policy says confirm. */
const AUTO = `
name: auto-restart
autonomy:
  auto_approve: [rollout]
steps:
  - name: restart
    action: rollout-restart
    inputs: { namespace: payments, name: payments-api }
  - name: notify
    action: report
`;

beforeAll(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'coxswain-workflows-'));
  writeFileSync(join(dir, 'auto-restart.yaml'), AUTO);
  writeFileSync(join(dir, 'tick.yaml'), TICK);
  writeFileSync(join(dir, 'alerted.yaml'), ALERTED);
  writeFileSync(join(dir, 'crash-fix.yaml'), WORKFLOW);
  writeFileSync(join(dir, 'restart-gate.yaml'), RESTART);
  const config = writeApprovalConfig({
    cluster: 'sandbox',
    kubeconfig: sandbox.kubeconfig,
    channel: 'web:ops',
    approvers: ['web:sre'],
  });
  app = await startTestApp({ COXSWAIN_CONFIG: config, WORKFLOWS_DIR: dir }, 'all', {
    trustLocalNames: true,
  });
  redis = new Redis(app.redisUrl);
  store = new RedisRunStore(redis, app.prefix);
}, 60_000);

afterAll(async () => {
  redis?.disconnect();
  await app?.stop();
});

type Entry = {
  id: string;
  bot: boolean;
  message: { headline?: string; text?: string; buttons: { action: string }[] };
};

async function say(text: string, author: string) {
  return fetch(`${app.baseUrl}/api/channels/ops/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ text, author }),
  });
}

async function runOf(state: (view: RunView) => boolean): Promise<RunView> {
  return eventually(async () => (await store.recent(10)).find(state), 60_000, 'the workflow run');
}

describe('a YAML workflow with a confirm gate', () => {
  it('runs its steps, waits at the gate, applies the approved change once and goes on', async () => {
    const stream = await SseClient.connect(`${app.baseUrl}/api/stream?channel=ops`);
    const entries = (pattern: (e: Entry) => boolean, timeoutMs: number) =>
      stream
        .next((e) => e.event === 'message' && pattern(JSON.parse(e.data) as Entry), timeoutMs)
        .then((e) => JSON.parse(e.data) as Entry);
    try {
      await say('@coxswain workflow crash-fix', 'dana');
      const card = await entries(
        (e) => e.bot && e.message.buttons.some((b) => b.action === 'approve'),
        30_000,
      );
      const waiting = await runOf((v) => v.state === 'waiting');

      expect(waiting.steps.diagnose).toMatchObject({
        state: 'succeeded',
        outputs: {
          cause: 'oom',
          workload: 'payments-api',
          container: 'api',
          memory_limit: '384Mi',
        },
      });
      expect(waiting.steps['check-logs']).toMatchObject({
        state: 'succeeded',
        outputs: { cause: 'oom' },
      });
      expect(waiting.steps.fix).toMatchObject({ state: 'waiting' });
      expect(waiting.steps.verify).toEqual({ state: 'pending' });
      expect(card.message.headline).toContain('384Mi');

      const clicked = await fetch(`${app.baseUrl}/api/channels/ops/clicks`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ entry: card.id, button: 0, author: 'sre' }),
      });
      expect(clicked.status).toBe(202);

      const done = await runOf((v) => v.run.runId === waiting.run.runId && v.state === 'succeeded');
      expect(done.steps.fix).toMatchObject({
        state: 'succeeded',
        outputs: { state: 'succeeded', approved_by: 'web:sre' },
      });
      expect(done.steps.verify).toMatchObject({ state: 'succeeded' });
      const notify = done.steps.notify;
      expect(notify?.state === 'succeeded' && String(notify.outputs.summary)).toContain(
        'fix: succeeded',
      );
      const deployment = await sandbox.cluster.apps.readNamespacedDeployment({
        namespace: 'payments',
        name: 'payments-api',
      });
      expect(deployment.spec?.template.spec?.containers[0]?.resources?.limits?.memory).toBe(
        '384Mi',
      );
      const end = await entries(
        (e) => e.bot && (e.message.headline ?? '').startsWith('Workflow crash-fix: succeeded'),
        30_000,
      );
      expect(end.message.text).toContain('✓ fix (succeeded)');
    } finally {
      await stream.close();
    }
  }, 120_000);

  it('stops at a rejected gate and says why', async () => {
    const stream = await SseClient.connect(`${app.baseUrl}/api/stream?channel=ops`);
    try {
      await say('@coxswain workflow restart-gate', 'dana');
      const card = await stream
        .next((e) => {
          const entry = JSON.parse(e.data) as Entry;
          return (
            e.event === 'message' &&
            (entry.message.headline ?? '').includes('restart deployment payments/payments-api') &&
            entry.message.buttons.some((b) => b.action === 'reject')
          );
        }, 60_000)
        .then((e) => JSON.parse(e.data) as Entry);
      const reject = card.message.buttons.findIndex((b) => b.action === 'reject');

      await fetch(`${app.baseUrl}/api/channels/ops/clicks`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ entry: card.id, button: reject, author: 'sre' }),
      });

      const stopped = await runOf(
        (v) => v.run.workflow.name === 'restart-gate' && v.state === 'stopped',
      );
      expect(stopped.summary).toContain('rejected by web:sre');
      expect(stopped.steps.restart).toMatchObject({ state: 'stopped' });
      expect(stopped.steps.notify).toMatchObject({ state: 'skipped' });
    } finally {
      await stream.close();
    }
  }, 120_000);
});

describe('a change the workflow approves itself', () => {
  it('is applied without a click, once, and audited as approved by the workflow (auto)', async () => {
    await say('@coxswain workflow auto-restart', 'dana');

    const run = await runOf(
      (v) => v.run.workflow.name === 'auto-restart' && v.state === 'succeeded',
    );

    expect(run.steps.restart).toMatchObject({
      state: 'succeeded',
      outputs: { state: 'succeeded', approved_by: 'workflow:auto-restart' },
    });
    const restart = run.steps.restart;
    const proposal = restart?.state === 'succeeded' ? String(restart.outputs.proposal) : '';
    const entries = (await redis.xrange(`${app.prefix}:audit`, '-', '+'))
      .map(([, fields]) => JSON.parse(fields[1] ?? '{}') as Record<string, unknown>)
      .filter((entry) => entry.proposal === proposal);
    expect(entries.map((e) => e.event)).toEqual(['proposed', 'approved', 'executed']);
    expect(entries[1]).toMatchObject({ approval: 'auto', approver: 'workflow:auto-restart' });
    expect(entries[2]).toMatchObject({ approval: 'auto' });
  }, 60_000);
});

describe('workflows that start on their own', () => {
  it('runs a scheduled workflow on its ticks; with no route to a bound channel it posts nowhere', async () => {
    const ticks = await eventually(
      async () => {
        const found = (await store.recent(100)).filter(
          (v) => v.run.workflow.name === 'tick' && v.state === 'succeeded',
        );
        return found.length >= 2 ? found : undefined;
      },
      30_000,
      'two scheduled runs',
    );

    expect(ticks.every((v) => v.run.trigger === 'schedule')).toBe(true);
    expect(new Set(ticks.map((v) => v.run.runId)).size).toBe(ticks.length);
    expect(ticks[0]?.run.place).toEqual({
      requester: 'schedule:tick',
      cluster: 'sandbox',
      namespaces: ['*'],
      maxTier: 'safe',
    });
  }, 60_000);

  it('starts one run per firing alert that matches, however often it is sent', async () => {
    const notification = (startsAt: string, severity = 'critical') => ({
      receiver: 'coxswain',
      status: 'firing',
      alerts: [
        {
          status: 'firing',
          labels: { alertname: 'DiskFull', severity, instance: 'node-1' },
          annotations: { summary: 'disk full' },
          startsAt,
          endsAt: '0001-01-01T00:00:00Z',
          generatorURL: 'http://prometheus.example/graph',
          fingerprint: `f${severity}${startsAt.slice(11, 13)}`,
        },
      ],
      groupLabels: { alertname: 'DiskFull' },
      commonLabels: { alertname: 'DiskFull', severity, instance: 'node-1' },
      commonAnnotations: { summary: 'disk full' },
      externalURL: 'http://alertmanager.example',
      version: '4',
      groupKey: `{}:{alertname="DiskFull",severity="${severity}"}`,
      truncatedAlerts: 0,
    });

    await postAlert(app.baseUrl, notification('2026-12-06T10:00:00Z'));
    await postAlert(app.baseUrl, notification('2026-12-06T10:00:00Z'));
    await postAlert(app.baseUrl, notification('2026-12-06T11:00:00Z'));
    await postAlert(app.baseUrl, notification('2026-12-06T12:00:00Z', 'warning'));

    const runs = await eventually(async () => {
      const found = (await store.recent(100)).filter(
        (v) => v.run.workflow.name === 'alerted' && v.state === 'succeeded',
      );
      return found.length >= 2 ? found : undefined;
    });
    // Every notification's job is done, so every run it could start is queued by now.
    const queue = new Queue('runs', { connection: redis, prefix: app.prefix });
    const jobs = await eventually(async () => {
      const found = await queue.getJobs(['waiting', 'active', 'completed', 'delayed', 'failed']);
      const alerts = found.filter((job) => job.data.kind === 'alert');
      const settled = await Promise.all(alerts.map((job) => job.isCompleted()));
      return alerts.length >= 3 && settled.every(Boolean) ? found : undefined;
    });
    await queue.close();
    const started = jobs.filter(
      (job) => job.data.kind === 'workflow' && job.data.workflow === 'alerted',
    );
    expect(started).toHaveLength(2);
    expect(runs.map((v) => (v.run.alert as { startsAt: string }).startsAt).sort()).toEqual([
      '2026-12-06T10:00:00Z',
      '2026-12-06T11:00:00Z',
    ]);
  }, 60_000);
});
