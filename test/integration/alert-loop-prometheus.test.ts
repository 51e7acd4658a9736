import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalMonitoring, startLocalMonitoring } from '../../src/runtime/local-monitoring.ts';
import {
  crashableDeployment,
  diagnosisOf,
  prometheusAlerts,
  QUICK_INTERVALS,
  quickRules,
  tsOf,
} from '../support/alert-loop.ts';
import { startTestApp, type TestApp } from '../support/app.ts';
import { writeConfigFile } from '../support/config-file.ts';
import { useSandbox } from '../support/sandbox.ts';
import { FakeSlack, type SlackCall } from '../support/slack-api.ts';

/**
 * The whole on-call loop with no hand-made alert: a workload breaks in the sandbox, the real
 * Prometheus scraping the sandbox's metrics raises the shipped KubePodCrashLooping, the real
 * Alertmanager sends it to the bot's webhook, and the group's message in Slack gets its thread and
 * the diagnosis there; the workload fixed, the alert resolves and the message says so.
 */
const sandbox = useSandbox(['healthy'], { metricsPort: 0 });
let slack: FakeSlack;
let app: TestApp;
let monitoring: LocalMonitoring;

const TOKEN = 'alert-loop-webhook-token-0001';

beforeAll(async () => {
  slack = await FakeSlack.start();
  const file = writeConfigFile({
    clusters: [{ name: 'sandbox', kubeconfig: sandbox.kubeconfig }],
    bindings: [
      {
        channel: 'slack:C0ONCALL',
        clusters: ['sandbox'],
        namespaces: ['*'],
        maxTier: 'confirm',
        approvers: ['slack:U0SRE'],
      },
    ],
    routes: [{ match: {}, channels: ['slack:C0ONCALL'] }],
  });
  app = await startTestApp({
    COXSWAIN_CONFIG: file,
    SLACK_BOT_TOKEN: slack.botToken,
    SLACK_SIGNING_SECRET: slack.signingSecret,
    SLACK_API_URL: slack.apiUrl,
    ALERTMANAGER_TOKEN: TOKEN,
  });
  monitoring = await startLocalMonitoring({
    target: new URL(sandbox.sandbox.metricsUrl ?? '').host,
    webhook: { url: `${app.baseUrl}/alerts/alertmanager`, token: TOKEN },
    rules: quickRules(),
    intervals: QUICK_INTERVALS,
  });
}, 60_000);

afterAll(async () => {
  await monitoring?.stop();
  await app?.stop();
  await slack?.close();
});

const text = (call: SlackCall) => JSON.stringify(call.args);

describe('the on-call loop through Prometheus and Alertmanager', () => {
  it('turns a crash loop into an alert with its diagnosis in its thread, and resolves it when fixed', async () => {
    const worker = await crashableDeployment(sandbox.cluster, 'shop', 'worker');

    await worker.break();

    const group = await slack.waitForCall(
      'chat.postMessage',
      (call) =>
        call.args.channel === 'C0ONCALL' &&
        call.args.thread_ts === undefined &&
        /Firing: KubePodCrashLooping/.test(text(call)),
      30_000,
    );
    // One alert shows its labels as fields, several as `pod=…` lines: either way, the pod.
    expect(text(group)).toMatch(/pod(=|\*\\n)worker-/);
    const { answer } = await diagnosisOf(slack, group, 30_000);
    expect(answer.args.channel).toBe('C0ONCALL');
    expect(text(answer)).toMatch(/worker/);

    await worker.fix();

    const resolved = await slack.waitForCall(
      'chat.update',
      (call) => call.args.ts === tsOf(group) && /Resolved: KubePodCrashLooping/.test(text(call)),
      30_000,
    );
    expect(resolved.args.channel).toBe('C0ONCALL');
    const firing = await prometheusAlerts(monitoring.prometheusUrl);
    expect(firing.filter((a) => a.labels.alertname === 'KubePodCrashLooping')).toEqual([]);
  }, 90_000);
});
