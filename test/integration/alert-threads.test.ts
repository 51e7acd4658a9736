import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postAlert, startTestApp, type TestApp } from '../support/app.ts';
import { writeConfigFile } from '../support/config-file.ts';
import { eventually, useSandbox } from '../support/sandbox.ts';
import { FakeSlack, type SlackCall } from '../support/slack-api.ts';

/**
 * On call in Slack: a firing group is one message in the on-call channel, and its investigation
 * (no workflow takes this alert, so the analyzers look into it) answers in that message's thread,
 * with the fix's card there too; the resolution edits the message in place.
 */
const sandbox = useSandbox(['oom-crashloop']);
let slack: FakeSlack;
let app: TestApp;

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
  });
}, 60_000);

afterAll(async () => {
  await app?.stop();
  await slack?.close();
});

const text = (call: SlackCall) => JSON.stringify(call.args);

function notification(status: 'firing' | 'resolved') {
  const alert = {
    status,
    labels: { alertname: 'PaymentsErrorsHigh', namespace: 'payments', severity: 'critical' },
    annotations: { summary: 'Payments answer with errors' },
    startsAt: '2026-12-06T10:00:00Z',
    ...(status === 'resolved' ? { endsAt: '2026-12-06T10:40:00Z' } : {}),
    generatorURL: 'http://prometheus.example/graph',
    fingerprint: 'pay0001',
  };
  return {
    version: '4',
    groupKey: '{}:{alertname="PaymentsErrorsHigh"}',
    truncatedAlerts: 0,
    status,
    receiver: 'coxswain',
    groupLabels: { alertname: 'PaymentsErrorsHigh' },
    commonLabels: alert.labels,
    commonAnnotations: alert.annotations,
    externalURL: 'http://alertmanager.example',
    alerts: [alert],
  };
}

describe('an alert group on call', () => {
  it('posts one message, investigates in its thread, and edits the message when it resolves', async () => {
    await postAlert(app.baseUrl, notification('firing'));

    const group = await slack.waitForCall(
      'chat.postMessage',
      (call) => /Firing: PaymentsErrorsHigh/.test(text(call)),
      20_000,
    );
    const root = (group.result as { ts?: string }).ts;
    expect(group.args.thread_ts).toBeUndefined();
    expect(root).toBeDefined();
    const answer = await slack.waitForCall(
      'chat.postMessage',
      (call) => call.args.thread_ts === root && /Answered by the analyzers/.test(text(call)),
      30_000,
    );
    expect(text(answer)).toContain('OOM');
    const card = await slack.waitForCall(
      'chat.postMessage',
      (call) => call.args.thread_ts === root && /coxswain\.approve/.test(text(call)),
      30_000,
    );
    expect(text(card)).toContain('384Mi');

    await postAlert(app.baseUrl, notification('resolved'));
    await postAlert(app.baseUrl, notification('firing'));

    const resolved = await slack.waitForCall(
      'chat.update',
      (call) => call.args.ts === root && /Resolved: PaymentsErrorsHigh/.test(text(call)),
      20_000,
    );
    expect(resolved).toBeDefined();
    await eventually(async () => {
      const updates = slack.calls.filter((c) => c.method === 'chat.update' && c.args.ts === root);
      return updates.length > 0 ? updates : undefined;
    });
    const topLevel = slack.calls.filter(
      (c) =>
        c.method === 'chat.postMessage' &&
        c.args.thread_ts === undefined &&
        /PaymentsErrorsHigh/.test(text(c)),
    );
    expect(topLevel).toHaveLength(1);
    const last = slack.calls.filter((c) => c.method === 'chat.update' && c.args.ts === root).at(-1);
    expect(text(last as SlackCall)).toContain('Resolved: PaymentsErrorsHigh');
  }, 90_000);

  it('investigates a storm about one workload once: the other groups join, and both threads say so', async () => {
    const before = slack.calls.length;
    // Slack is paced at about a message a second per channel: a small storm keeps this test short.
    const names = Array.from({ length: 4 }, (_, i) => `PaymentsSymptom${i}`);
    for (const [i, alertname] of names.entries()) {
      const labels = {
        alertname,
        namespace: 'payments',
        pod: `payments-api-7d9f8b6c5d-p${String(i).padStart(4, '0')}`,
      };
      const firing = {
        ...notification('firing'),
        groupKey: `{}:{alertname="${alertname}"}`,
        commonLabels: labels,
      };
      firing.alerts = [{ ...firing.alerts[0], labels, fingerprint: `storm${i}` } as never];
      await postAlert(app.baseUrl, firing);
    }

    const since = () => slack.calls.slice(before);
    // Each of the other groups is told in its thread, and the investigation's thread hears of it;
    // the channel is paced, so these arrive over some seconds.
    await eventually(
      async () => {
        const joins = since().filter((c) => /joined this investigation/.test(text(c)));
        const told = since().filter((c) => /Already under investigation/.test(text(c)));
        return joins.length === names.length - 1 && told.length === names.length - 1
          ? true
          : undefined;
      },
      90_000,
      'every other group to join, and be told so',
    );
    await eventually(
      async () =>
        since().some((c) => /Answered by the analyzers/.test(text(c))) ? true : undefined,
      60_000,
      'the one investigation to answer',
    );
    const groups = since().filter(
      (c) =>
        c.method === 'chat.postMessage' &&
        c.args.thread_ts === undefined &&
        /Firing: PaymentsSymptom/.test(text(c)),
    );
    const answers = since().filter((c) => /Answered by the analyzers/.test(text(c)));
    const told = since().filter((c) => /Already under investigation/.test(text(c)));
    expect(groups).toHaveLength(names.length);
    expect(answers).toHaveLength(1);
    expect(told).toHaveLength(names.length - 1);
  }, 180_000);
});
