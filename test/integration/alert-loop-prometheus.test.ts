import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalMonitoring, startLocalMonitoring } from '../../src/runtime/local-monitoring.ts';
import { prometheusAlerts, QUICK_INTERVALS, quickRules } from '../support/alert-loop.ts';
import { startTestApp, type TestApp } from '../support/app.ts';
import { writeConfigFile } from '../support/config-file.ts';
import { eventually, useSandbox } from '../support/sandbox.ts';
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
const tsOf = (call: SlackCall) => String((call.result as { ts?: string }).ts);
const DEPLOYMENT = '/apis/apps/v1/namespaces/shop/deployments/worker';
const LAST_WORDS = 'fatal: queue address missing';

async function createWorker() {
  await sandbox.cluster.apps.createNamespacedDeployment({
    namespace: 'shop',
    body: {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'worker', namespace: 'shop', labels: { app: 'worker' } },
      spec: {
        replicas: 2,
        selector: { matchLabels: { app: 'worker' } },
        template: {
          metadata: { labels: { app: 'worker' } },
          spec: {
            containers: [
              {
                name: 'worker',
                image: 'docker.io/library/busybox:1.36',
                command: ['sleep', 'infinity'],
              },
            ],
          },
        },
      },
    },
  });
  await eventually(
    async () => {
      const worker = await sandbox.cluster.apps.readNamespacedDeployment({
        namespace: 'shop',
        name: 'worker',
      });
      return worker.status?.availableReplicas === 2 ? true : undefined;
    },
    15_000,
    'the worker deployment to be available',
  );
}

async function setCommand(command: string[]) {
  await sandbox.cluster.json('PATCH', DEPLOYMENT, {
    body: { spec: { template: { spec: { containers: [{ name: 'worker', command }] } } } },
    contentType: 'application/strategic-merge-patch+json',
  });
}

/**
 * The diagnosis of the group whose message is `root`: in its thread, or, when its alerts joined
 * an investigation under way about the same workload, in the thread its note names.
 */
async function diagnosisOf(root: SlackCall): Promise<{ thread: string; answer: SlackCall }> {
  const inThread = (thread: string) => (call: SlackCall) =>
    call.args.thread_ts === thread &&
    (text(call).includes(LAST_WORDS) || /Already under investigation/.test(text(call)));
  const first = await slack.waitForCall('chat.postMessage', inThread(tsOf(root)), 30_000);
  const holder = /the diagnosis goes in the thread of (\w+)/.exec(text(first))?.[1];
  if (holder === undefined) return { thread: tsOf(root), answer: first };
  const holderRoot = slack.calls.find(
    (call) =>
      call.method === 'chat.postMessage' &&
      call.args.thread_ts === undefined &&
      new RegExp(`Firing: ${holder}\\b`).test(text(call)),
  );
  expect(holderRoot, `the message of ${holder}, named by the note`).toBeDefined();
  const thread = tsOf(holderRoot as SlackCall);
  const answer = await slack.waitForCall(
    'chat.postMessage',
    (call) => call.args.thread_ts === thread && text(call).includes(LAST_WORDS),
    30_000,
  );
  return { thread, answer };
}

describe('the on-call loop through Prometheus and Alertmanager', () => {
  it('turns a crash loop into an alert with its diagnosis in its thread, and resolves it when fixed', async () => {
    await createWorker();

    await setCommand(['sh', '-c', `echo '${LAST_WORDS}'; exit 2`]);

    const group = await slack.waitForCall(
      'chat.postMessage',
      (call) =>
        call.args.channel === 'C0ONCALL' &&
        call.args.thread_ts === undefined &&
        /Firing: KubePodCrashLooping/.test(text(call)),
      30_000,
    );
    expect(text(group)).toContain('pod=worker-');
    const { answer } = await diagnosisOf(group);
    expect(answer.args.channel).toBe('C0ONCALL');
    expect(text(answer)).toMatch(/worker/);

    await setCommand(['sleep', 'infinity']);

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
