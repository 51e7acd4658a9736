import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postAlert, startTestApp, type TestApp } from '../support/app.ts';
import { writeConfigFile } from '../support/config-file.ts';
import { eventually, useSandbox } from '../support/sandbox.ts';
import { FakeSlack, type SlackCall } from '../support/slack-api.ts';
import { interactiveForm } from '../support/slack-payloads.ts';

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
    // The company-wide channel shows every alert, and no binding covers anything there.
    routes: [{ match: {}, channels: ['slack:C0ONCALL', 'slack:C0COMPANY'] }],
  });
  app = await startTestApp({
    COXSWAIN_CONFIG: file,
    SLACK_BOT_TOKEN: slack.botToken,
    SLACK_SIGNING_SECRET: slack.signingSecret,
    SLACK_API_URL: slack.apiUrl,
    // The local Slack has no rate limit: a short pace keeps messages spaced without the wait.
    SLACK_PACE_MS: '100',
  });
}, 60_000);

afterAll(async () => {
  await app?.stop();
  await slack?.close();
});

const text = (call: SlackCall) => JSON.stringify(call.args);
const cardTs = (card: SlackCall) => String((card.result as { ts?: string }).ts);

/** Clicks a card's Approve as a person in Slack would. */
async function approve(card: SlackCall, user: string) {
  const blocks = card.args.blocks as { elements?: { action_id?: string; value?: string }[] }[];
  const button = blocks
    .flatMap((block) => block.elements ?? [])
    .find((element) => element.action_id === 'coxswain.approve.0');
  const clicked = await slack.sendHttp(
    `${app.baseUrl}/slack/events`,
    interactiveForm(
      slack.blockActions({
        actionId: 'coxswain.approve.0',
        value: button?.value ?? '',
        channel: 'C0ONCALL',
        user,
        messageTs: cardTs(card),
        threadTs: card.args.thread_ts as string,
      }),
    ),
    { contentType: 'form' },
  );
  expect(clicked.status).toBe(200);
}

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
      (call) => call.args.channel === 'C0ONCALL' && /Firing: PaymentsErrorsHigh/.test(text(call)),
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
    await approve(card, 'U0SRE');
    await slack.waitForCall(
      'chat.update',
      (call) => call.args.ts === cardTs(card) && /Applied|applied/.test(text(call)),
      30_000,
    );

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
    expect(topLevel.map((c) => c.args.channel).sort()).toEqual(['C0COMPANY', 'C0ONCALL']);
    const last = slack.calls.filter((c) => c.method === 'chat.update' && c.args.ts === root).at(-1);
    expect(text(last as SlackCall)).toContain('Resolved: PaymentsErrorsHigh');

    // The incident's report, in the thread: cause, who approved what, and the times.
    const report = await slack.waitForCall(
      'chat.postMessage',
      (call) => call.args.thread_ts === root && /Incident resolved/.test(text(call)),
      20_000,
    );
    const said = text(report);
    expect(said).toContain('Cause:');
    expect(said).toContain('OOM');
    expect(said).toMatch(/approved by slack:U0SRE/);
    expect(said).toMatch(/applied: /);
    expect(said).toContain('Time to mitigate');
    expect(said).not.toContain('no change through Coxswain');
    // People can rate it, as they rate answers.
    expect(said).toMatch(/coxswain\.feedback/);
    // The alert fired at 10:00 and resolved at 10:40 by its own clock.
    expect(said).toContain('40m');
    const reportsNow = () =>
      slack.calls.filter(
        (c) => c.method === 'chat.postMessage' && /Incident resolved/.test(text(c)),
      );
    await eventually(
      async () => (reportsNow().length >= 2 ? true : undefined),
      20_000,
      'the report in both channels',
    );
    const reports = reportsNow();
    expect(reports.map((c) => c.args.channel).sort()).toEqual(['C0COMPANY', 'C0ONCALL']);
    // Where no binding covers the alert, the report says it resolved and nothing it read or did.
    const elsewhere = text(reports.find((c) => c.args.channel === 'C0COMPANY') as SlackCall);
    expect(elsewhere).toContain('Time to resolve');
    expect(elsewhere).not.toMatch(/OOM|Cause:|U0SRE|384Mi|feedback/);

    const metrics = await (await fetch(`${app.baseUrl}/metrics`)).text();
    expect(metrics).toMatch(
      /coxswain_incident_resolved_total\{alertname="PaymentsErrorsHigh",namespace="payments",cluster=""\} 1/,
    );
    expect(metrics).toMatch(
      /coxswain_incident_automation_ratio\{alertname="PaymentsErrorsHigh",namespace="payments",cluster=""\} 1/,
    );
    expect(metrics).toMatch(
      /coxswain_incident_mttr_seconds\{alertname="PaymentsErrorsHigh",namespace="payments",cluster=""\} 2400/,
    );
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
    const groups = since().filter(
      (c) =>
        c.method === 'chat.postMessage' &&
        c.args.channel === 'C0ONCALL' &&
        c.args.thread_ts === undefined &&
        /Firing: PaymentsSymptom/.test(text(c)),
    );
    // Only the storm's threads: the first group's conversation may go on after its approval.
    const roots = new Set(groups.map((c) => (c.result as { ts?: string }).ts));
    const stormAnswers = () =>
      since().filter(
        (c) => roots.has(c.args.thread_ts as string) && /Answered by the analyzers/.test(text(c)),
      );
    await eventually(
      async () => (stormAnswers().length > 0 ? true : undefined),
      60_000,
      'the one investigation to answer',
    );
    const answers = stormAnswers();
    const told = since().filter((c) => /Already under investigation/.test(text(c)));
    expect(groups).toHaveLength(names.length);
    expect(answers).toHaveLength(1);
    expect(told).toHaveLength(names.length - 1);
  }, 180_000);
});
